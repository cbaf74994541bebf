/** Every `revbot` subcommand, in the order `revbot --help` lists them. */
import type { Command } from '../command';
import { listenCommand } from './listen';

export const COMMANDS: Command[] = [listenCommand];
