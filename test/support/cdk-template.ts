import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** Every statement of every identity policy in the template (AWS::IAM::Policy documents). */
export const policyStatements = (template: Template): Statement[] =>
  Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => (policy.Properties.PolicyDocument.Statement as Statement[]) ?? [],
  );

export const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** A resource's properties as the assertions library returns them (untyped JSON). */
type CfnProperties = ReturnType<Template['findResources']>[string];

/** The single resource of the given type; fails when there is not exactly one. */
export const onlyResource = (template: Template, type: string): { id: string; properties: CfnProperties } => {
  const entries = Object.entries(template.findResources(type));
  if (entries.length !== 1) throw new Error(`expected one ${type}, found ${entries.length}`);
  const [id, resource] = entries[0]!;
  return { id, properties: resource.Properties };
};

/** cdk-nag AwsSolutions findings not acknowledged in code, as readable lines. */
export const nagFindings = (scope: IConstruct): string[] =>
  new AwsSolutionsChecks()
    .validateScope(scope)
    .violations.flatMap((violation) =>
      violation.violatingResources.map(
        (resource) =>
          `${violation.severity ?? ''} ${violation.ruleName} on ${resource.constructPath ?? resource.resourceLogicalId}: ${violation.description}`,
      ),
    );
