import { createSocket } from 'node:dgram';

/**
 * Where a traced function's segments go: Lambda runs an X-Ray daemon the SDK reaches over UDP at
 * AWS_XRAY_DAEMON_ADDRESS (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html,
 * https://docs.aws.amazon.com/xray/latest/devguide/xray-api-sendingdata.html#xray-api-daemon: a JSON
 * header line `{"format":"json","version":1}` then the segment document). This sink on 127.0.0.1
 * keeps the names of the (sub)segments it receives.
 */
export interface XRayDaemonSink {
  /** `127.0.0.1:<port>` */
  readonly address: string;
  /** Names of the segment documents received, in order. */
  segmentNames(): readonly string[];
  close(): Promise<void>;
}

export const startXRayDaemonSink = async (): Promise<XRayDaemonSink> => {
  const socket = createSocket('udp4');
  const names: string[] = [];
  socket.on('message', (message) => {
    const [, document] = message.toString('utf8').split('\n', 2);
    try {
      const name = (JSON.parse(document ?? '') as { name?: unknown }).name;
      if (typeof name === 'string') names.push(name);
    } catch {
      names.push('(unreadable segment)');
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    segmentNames: () => [...names],
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
};
