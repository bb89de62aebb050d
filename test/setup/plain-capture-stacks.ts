/**
 * Jest source-maps every stack trace, including the ones cdktf captures (and never prints unless
 * a token fails to resolve) for each token and computed attribute it creates: with its stack
 * limit lifted, that mapping was a third of the CPU of the cdktf-heavy files. Errors keep the
 * mapped stacks; stacks captured on plain objects get V8's own format.
 */
const mapped = Error.prepareStackTrace;
if (mapped) {
  Error.prepareStackTrace = (error, frames) => {
    if (Object.prototype.toString.call(error) === '[object Error]') return mapped(error, frames);
    return [String(error), ...frames.map((frame) => `    at ${frame}`)].join('\n');
  };
}
