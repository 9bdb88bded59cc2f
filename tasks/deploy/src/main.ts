import { runService, runTask } from '@hat/task-runtime';
import { run } from './run.ts';
import { tasks } from './task.ts';

// One program serves deploy-test, deploy-stage and deploy-prod; the Task fixes HAT_ENV, params are the same.
// HAT_SERVE=custom-runs: the env's deploy controller instead (controller.ts, loaded only then).
if (process.env['HAT_SERVE'] === 'custom-runs') runService(tasks[0]!, async (ctx) => (await import('./controller.ts')).serveDeploys(ctx));
else runTask(tasks[0]!, run);
