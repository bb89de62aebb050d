import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/**
 * The public surface is kept in api/ml-platform-constructs.api.md, so that every change to it shows
 * in review. It is read from the declarations `tsc` writes to build/ (the first step of npm test).
 */
test('the public API matches api/ml-platform-constructs.api.md', () => {
  const entry = path.join(ROOT, 'build', 'lib', 'index.d.ts');
  if (!fs.existsSync(entry)) throw new Error('build/lib/index.d.ts is missing: run `npm run build` first (npm test does).');
  const config = ExtractorConfig.loadFileAndPrepare(path.join(ROOT, 'api-extractor.json'));
  const messages: string[] = [];
  const result = Extractor.invoke(config, {
    localBuild: false,
    messageCallback: (message) => {
      if (message.logLevel === 'error' || message.logLevel === 'warning') messages.push(message.formatMessageWithLocation(ROOT));
      message.handled = true;
    },
  });
  expect({ apiReportChanged: result.apiReportChanged, messages }).toEqual({ apiReportChanged: false, messages: [] });
});
