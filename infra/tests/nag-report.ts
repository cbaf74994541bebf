/**
 * The cdk-nag findings of a synthesized app, read from the `validation-report.json` CDK writes
 * beside the templates: every stack test asserts the same thing, that no error is left.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: {
      ruleName: string;
      severity: string;
      violatingResources?: { templatePath: string }[];
    }[];
  }[];
}

/**
 * `plugin:rule` for each error-level finding in `outdir`; with `templatePathPart`, only those
 * found in a template whose path contains it (one stack's findings). A plugin with nothing left
 * to report is omitted from the report, so an empty list is a clean app.
 */
export function nagErrors(outdir: string, templatePathPart?: string): string[] {
  const report = JSON.parse(
    readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'),
  ) as ValidationReport;
  return report.pluginReports.flatMap((r) =>
    r.violations
      .filter((v) => v.severity === 'error')
      .filter(
        (v) =>
          templatePathPart === undefined ||
          (v.violatingResources ?? []).some((res) => res.templatePath.includes(templatePathPart)),
      )
      .map((v) => `${r.pluginName}:${v.ruleName}`),
  );
}
