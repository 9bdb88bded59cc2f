import { runTask } from '@hat/task-runtime';
import { run } from './run.ts';
import { definition } from './task.ts';

runTask(definition, run);
