import { type ILogGroup, QueryDefinition, QueryString } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * Field names of the promote function's JSON log lines (functions/pipeline/record-outcome.ts): the
 * line recording a run's outcome carries `status` (promoted | unchanged | superseded | refused |
 * ignored | retry), and for refusals and retries `code`, `reason` and `path`.
 */
const RUN_FIELDS = ['@timestamp', 'runId', 'chart', 'version', 'environment', 'commit', 'status', 's3Key'];

/** The Logs Insights queries as strings: reused by the dashboard and by `chart-promoter runs`. */
export const RUN_QUERIES = {
  runs: new QueryString({
    fields: RUN_FIELDS,
    filterStatements: ['ispresent(runId) and ispresent(status)'],
    sort: '@timestamp desc',
    limit: 200,
  }),
  refusals: new QueryString({
    fields: [...RUN_FIELDS, 'code', 'reason', 'path'],
    filterStatements: ['status = "refused"'],
    sort: '@timestamp desc',
    limit: 200,
  }),
  // Replace RUN_ID in the console (saved queries take no parameters).
  runById: new QueryString({
    fields: ['@timestamp', 'level', 'message', ...RUN_FIELDS.slice(1), 'code', 'reason'],
    filterStatements: ['runId = "RUN_ID"'],
    sort: '@timestamp asc',
    limit: 1000,
  }),
} as const;

export interface RunQueriesProps {
  readonly logGroup: ILogGroup;
  /**
   * Other log groups whose lines carry runId and status (the deadline sweep's `not-converged`
   * lines), queried together with the promote function's. @default none
   */
  readonly moreLogGroups?: readonly ILogGroup[];
  /** Folder the saved queries appear under in the Logs Insights console. */
  readonly folder: string;
}

/** Saved Logs Insights queries over the promote function's log group: runs, refusals, one run by id. */
export class RunQueries extends Construct {
  readonly runs: QueryDefinition;
  readonly refusals: QueryDefinition;
  readonly runById: QueryDefinition;

  constructor(scope: Construct, id: string, props: RunQueriesProps) {
    super(scope, id);
    const define = (name: string, queryString: QueryString): QueryDefinition =>
      new QueryDefinition(this, name, {
        queryDefinitionName: `${props.folder}/${name}`,
        queryString,
        logGroups: [props.logGroup, ...(props.moreLogGroups ?? [])],
      });
    this.runs = define('runs', RUN_QUERIES.runs);
    this.refusals = define('refusals', RUN_QUERIES.refusals);
    this.runById = define('run-by-id', RUN_QUERIES.runById);
  }
}
