/** Every `revbot` subcommand, in the order `revbot --help` lists them. */
import type { Command } from '../command';

export const COMMANDS: Command[] = [];
