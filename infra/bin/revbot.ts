#!/usr/bin/env node
/** The RevBot CDK app: `cdk synth` / `cdk deploy --all [-c stage=prod]`. */
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';

buildApp(new App());
