// Developer commands read a `.env` file when there is one (variables already set win).
import { existsSync } from 'node:fs';

if (existsSync('.env')) process.loadEnvFile('.env');
