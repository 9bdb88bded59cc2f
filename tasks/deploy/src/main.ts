import { runTask } from '@hat/task-runtime';
import { run } from './run.ts';
import { tasks } from './task.ts';

// One program serves deploy-test, deploy-stage and deploy-prod; the Task fixes HAT_ENV, params are the same.
runTask(tasks[0]!, run);
