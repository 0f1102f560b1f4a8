// Preloaded with `node --import`: writes every module URL the process loads, one per line,
// to the file named by RECORD_LOADS_TO when it exits.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const loaded = [];
registerHooks({
  load(url, context, nextLoad) {
    loaded.push(url);
    return nextLoad(url, context);
  },
});
process.on('exit', () => writeFileSync(process.env.RECORD_LOADS_TO, `${loaded.join('\n')}\n`));
