import { Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  type IWidget,
  LogQueryWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PROMOTER_METRICS, searchMetric } from './pipeline-metrics';
import { RUN_QUERIES } from './run-queries';

export interface PipelineDashboardProps {
  readonly function: IFunction;
  readonly logGroup: ILogGroup;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly alarms: readonly Alarm[];
  /** The feedback function, when deployed: adds a row on convergence, failures and rollbacks. */
  readonly feedbackFunction?: IFunction;
  /** The feedback queue, its dead-letter queue and its worker, when deployed: a row of their own. */
  readonly feedbackQueue?: {
    readonly queue: IQueue;
    readonly deadLetterQueue: IQueue;
    readonly worker: IFunction;
  };
  /**
   * The promotion board (PromotionBoardWidget.widget()): shown right under the alarms, since
   * "which version is where, and is it healthy" is the first question.
   * @default - none
   */
  readonly board?: IWidget;
}

const WIDTH = 8;
const HEIGHT = 6;

/** One dashboard: alarms and the promotion board first, then outcomes, the Git host, the queue and the function. */
export class PipelineDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const graph = (title: string, left: IMetric[], right: IMetric[] = []): GraphWidget =>
      new GraphWidget({ title, left, right, width: WIDTH, height: HEIGHT, period });
    const duration = (stat: string): IMetric => searchMetric(PROMOTER_METRICS.durationMs, stat, stat);
    const fn = props.function;

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(1) });
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 3 }),
    );
    if (props.board !== undefined) this.dashboard.addWidgets(props.board);
    this.dashboard.addWidgets(
      graph('Promotions', [searchMetric(PROMOTER_METRICS.promoted, 'Sum', 'promoted')]),
      graph('Refusals by code', [searchMetric(PROMOTER_METRICS.refused, 'Sum')]),
      graph('Promotion duration (ms)', [duration('p50'), duration('p99')]),
    );
    this.dashboard.addWidgets(
      graph('Git host requests', [searchMetric(PROMOTER_METRICS.gitHostRequests, 'Sum', 'requests')]),
      graph('Commit conflicts retried', [
        searchMetric(PROMOTER_METRICS.conflictsRetried, 'Sum', 'conflicts'),
      ]),
      graph(
        'Intake queue',
        [
          props.queue.metricApproximateNumberOfMessagesVisible({
            label: 'queue depth',
            statistic: 'Maximum',
          }),
        ],
        [
          props.queue.metricApproximateAgeOfOldestMessage({
            label: 'oldest message (s)',
            statistic: 'Maximum',
          }),
        ],
      ),
    );
    this.dashboard.addWidgets(
      graph('Dead-letter queue depth', [
        props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          label: 'DLQ depth',
          statistic: 'Maximum',
        }),
      ]),
      graph('Function errors and throttles', [
        fn.metricErrors({ label: 'errors', statistic: 'Sum' }),
        fn.metricThrottles({ label: 'throttles', statistic: 'Sum' }),
      ]),
      graph(
        'Function duration',
        [
          fn.metricDuration({ statistic: 'p50', label: 'p50' }),
          fn.metricDuration({ statistic: 'p99', label: 'p99' }),
        ],
        [fn.metric('ConcurrentExecutions', { statistic: 'Maximum', label: 'concurrency' })],
      ),
    );
    if (props.feedbackFunction !== undefined) this.addFeedbackRow(props.feedbackFunction, graph);
    if (props.feedbackQueue !== undefined) {
      const { queue, deadLetterQueue, worker } = props.feedbackQueue;
      this.dashboard.addWidgets(
        graph(
          'Feedback queue',
          [
            queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label: 'waiting' }),
            deadLetterQueue.metricApproximateNumberOfMessagesVisible({
              statistic: 'Maximum',
              label: 'dead-lettered',
            }),
          ],
          [queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', label: 'oldest (s)' })],
        ),
        graph(
          'Feedback worker',
          [
            worker.metricInvocations({ label: 'invocations', statistic: 'Sum' }),
            worker.metricErrors({ label: 'errors', statistic: 'Sum' }),
          ],
          [worker.metricDuration({ statistic: 'p90', label: 'duration p90 (ms)' })],
        ),
      );
    }
    this.dashboard.addWidgets(
      new LogQueryWidget({
        title: 'Recent runs',
        logGroupNames: [props.logGroup.logGroupName],
        queryString: RUN_QUERIES.runs.toString(),
        width: 24,
        height: 8,
      }),
    );
  }

  /** Progressive promotion: lead time, releases converged and failed, rollbacks, refused webhooks. */
  private addFeedbackRow(
    fn: IFunction,
    graph: (title: string, left: IMetric[], right?: IMetric[]) => GraphWidget,
  ): void {
    const leadTime = (stat: string): IMetric => searchMetric(PROMOTER_METRICS.uploadToReadyMs, stat, stat);
    this.dashboard.addWidgets(
      graph('Upload to ready (ms)', [leadTime('p50'), leadTime('p90')]),
      graph('Releases by environment', [
        searchMetric(PROMOTER_METRICS.releaseConverged, 'Sum'),
        searchMetric(PROMOTER_METRICS.releaseFailed, 'Sum'),
      ]),
      graph(
        'Rollbacks and refused webhooks',
        [searchMetric(PROMOTER_METRICS.rollbacksCommitted, 'Sum', 'rollbacks')],
        [searchMetric(PROMOTER_METRICS.feedbackRejected, 'Sum')],
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Feedback endpoint',
        [
          fn.metricInvocations({ label: 'invocations', statistic: 'Sum' }),
          fn.metricErrors({ label: 'errors', statistic: 'Sum' }),
          fn.metricThrottles({ label: 'throttles', statistic: 'Sum' }),
        ],
        [fn.metricDuration({ statistic: 'p90', label: 'duration p90 (ms)' })],
      ),
    );
  }
}
