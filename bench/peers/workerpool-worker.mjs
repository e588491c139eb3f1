// workerpool needs a worker script that registers its methods; it registers the
// same task module every other pool runs.
import workerpool from 'workerpool';
import * as tasks from '../tasks.mjs';

workerpool.worker({ ...tasks });
