// Rewrites the field reference table at the end of README.md from the schema (npm run docs:fields).
import { readFileSync, writeFileSync } from 'node:fs';
import { fieldReference } from '../dist/schema/reference.js';

const readme = readFileSync('README.md', 'utf8');
const start = readme.indexOf('| 字段 | 名称 |');
if (start < 0) throw new Error('README.md has no field reference table');
writeFileSync('README.md', `${readme.slice(0, start)}${fieldReference()}\n`);
