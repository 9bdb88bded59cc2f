#!/usr/bin/env node
// The hat CLI runs from its TypeScript sources (tsx), so there is no stale build to forget.
import { register } from 'tsx/esm/api';
register();
await import('../src/main.ts');
