/** Every `revbot` subcommand, in the order `revbot --help` lists them. */
import type { Command } from '../command';
import { agentsCommand } from './agents';
import { askCommand } from './ask';
import { conversationsCommand } from './conversations';
import { dlqCommand } from './dlq';
import { doctorCommand } from './doctor';
import { evalCommand } from './eval';
import { exportCommand } from './export';
import { kbCommand } from './kb';
import { listenCommand } from './listen';
import { logsCommand } from './logs';
import { scheduleCommand } from './schedule';
import { seedCommand } from './seed';
import { slackCommand } from './slack';
import { webhookCommand } from './webhook';

export const COMMANDS: Command[] = [
  askCommand,
  evalCommand,
  webhookCommand,
  slackCommand,
  scheduleCommand,
  listenCommand,
  seedCommand,
  exportCommand,
  doctorCommand,
  kbCommand,
  agentsCommand,
  dlqCommand,
  conversationsCommand,
  logsCommand,
];
