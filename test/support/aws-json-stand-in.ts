import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local answer for the two AWS JSON-protocol calls the functions make, on 127.0.0.1: Secrets
 * Manager GetSecretValue (JSON 1.1, `X-Amz-Target: secretsmanager.GetSecretValue`) and SQS
 * SendMessage (JSON 1.0, `X-Amz-Target: AmazonSQS.SendMessage`), for the real SDK clients pointed at
 * it with AWS_ENDPOINT_URL_SECRETS_MANAGER / AWS_ENDPOINT_URL_SQS. Every call is recorded.
 *
 * Shapes from the API references: GetSecretValue answers ARN, Name, VersionId, SecretString,
 * VersionStages, CreatedDate, and ResourceNotFoundException for an unknown secret
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html);
 * SendMessage answers MessageId and MD5OfMessageBody, which the SQS client checks against the body
 * it sent (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
 */
export interface RecordedCall {
  /** The X-Amz-Target, e.g. `secretsmanager.GetSecretValue`. */
  readonly target: string;
  readonly input: Record<string, unknown>;
}

export interface AwsJsonStandIn {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Serves `value` as the SecretString of `secretId` (an ARN or a name). */
  putSecret(secretId: string, value: string): void;
  calls(): readonly RecordedCall[];
  /** SendMessage inputs, in order. */
  sentMessages(): readonly { QueueUrl: string; MessageBody: string; DelaySeconds?: number }[];
  close(): Promise<void>;
}

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const answer = (response: ServerResponse, status: number, protocol: '1.0' | '1.1', body: unknown) => {
  response.writeHead(status, { 'content-type': `application/x-amz-json-${protocol}` });
  response.end(JSON.stringify(body));
};

export const startAwsJsonStandIn = async (): Promise<AwsJsonStandIn> => {
  const secrets = new Map<string, string>();
  const calls: RecordedCall[] = [];

  const server = createServer(async (request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const input = JSON.parse((await readBody(request)) || '{}') as Record<string, unknown>;
    calls.push({ target, input });
    if (target === 'secretsmanager.GetSecretValue') {
      const id = String(input.SecretId ?? '');
      const value = secrets.get(id);
      if (value === undefined) {
        answer(response, 400, '1.1', {
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        });
        return;
      }
      answer(response, 200, '1.1', {
        ARN: id,
        Name: id
          .split(':')
          .pop()
          ?.replace(/-[A-Za-z0-9]{6}$/, ''),
        VersionId: randomUUID(),
        SecretString: value,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: Math.floor(Date.now() / 1000),
      });
      return;
    }
    if (target === 'AmazonSQS.SendMessage') {
      const md5 = createHash('md5')
        .update(String(input.MessageBody ?? ''))
        .digest('hex');
      answer(response, 200, '1.0', { MessageId: randomUUID(), MD5OfMessageBody: md5 });
      return;
    }
    answer(response, 400, target.startsWith('AmazonSQS.') ? '1.0' : '1.1', {
      __type: 'UnknownOperationException',
      message: `the local stand-in does not answer ${target || 'requests without X-Amz-Target'}`,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    putSecret: (secretId, value) => {
      secrets.set(secretId, value);
    },
    calls: () => [...calls],
    sentMessages: () =>
      calls
        .filter((call) => call.target === 'AmazonSQS.SendMessage')
        .map((call) => call.input as { QueueUrl: string; MessageBody: string; DelaySeconds?: number }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
