// report-command.ts still imports exitCodeOf from here; it moves to './execute-pass.ts'
// when that file's owner switches the import, and this file goes.
export { exitCodeOf } from './execute-pass.ts'
