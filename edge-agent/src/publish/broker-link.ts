import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import { VigilError, type GatewayConfig } from '@vigil/contracts';

/** The `mqtt` section of the gateway config (protocol_version defaults to 5, MQTT 5). */
export type BrokerLink = Omit<GatewayConfig['mqtt'], 'protocol_version'> & { protocol_version?: 4 | 5 };

function readPem(field: 'ca' | 'cert' | 'key', file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new VigilError(
      'VIGIL_ERR_MQTT_TLS',
      `mqtt.${field} file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): fix the path in the gateway config, or enrol the gateway again (deploy/enrol-gateway.sh)`,
      { cause: err },
    );
  }
}

/**
 * mqtt.js options for the link. With `ca` set, only that CA is trusted (pinning): the system store is
 * not consulted, so a certificate from any other CA, even a public one, is refused.
 */
export function brokerOptions(link: BrokerLink): IClientOptions {
  const url = new URL(link.url);
  const tls = url.protocol === 'mqtts:' || url.protocol === 'wss:';
  if (!tls && (link.ca || link.cert || link.key)) {
    throw new VigilError('VIGIL_ERR_MQTT_TLS', `mqtt.url ${link.url} is not TLS but mqtt.ca/cert/key are set: use mqtts://host:8883, or remove the certificate fields`);
  }
  if (Boolean(link.cert) !== Boolean(link.key)) {
    throw new VigilError('VIGIL_ERR_MQTT_TLS', 'mqtt.cert and mqtt.key go together: set both (client certificate login) or neither');
  }
  const options: IClientOptions = { keepalive: link.keepalive_s, protocolVersion: link.protocol_version ?? 5 };
  if (link.username) options.username = link.username;
  if (link.password) options.password = link.password;
  if (tls) {
    options.rejectUnauthorized = true;
    if (link.ca) options.ca = readPem('ca', link.ca);
    if (link.cert) options.cert = readPem('cert', link.cert);
    if (link.key) options.key = readPem('key', link.key);
  }
  return options;
}

const NOT_OUR_CA = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
]);

/** MQTT 5 CONNACK reason codes a gateway operator can act on. */
const CONNACK_REASONS: Record<number, string> = {
  134: 'bad user name or password: check mqtt.username/mqtt.password against the broker password file (deploy/enrol-gateway.sh prints them)',
  135: 'not authorized: the broker refused this client; check its ACL and credentials',
  136: 'server unavailable',
  138: 'banned by the broker',
  140: 'bad authentication method',
};

/** Turns a socket, TLS or CONNACK error into one sentence naming the problem and the fix. */
export function explainLinkError(err: Error & { code?: string | number }, link: BrokerLink): VigilError {
  const code = err.code;
  if (typeof code === 'string' && NOT_OUR_CA.has(code)) {
    const pinned = link.ca ? `the pinned CA ${link.ca}` : 'the system CA store (no mqtt.ca is set)';
    return new VigilError('VIGIL_ERR_MQTT_TLS', `${link.url}: TLS certificate problem ${code} (${err.message}): the broker's certificate is not signed by ${pinned}; set mqtt.ca to the CA that signed the broker certificate`, { cause: err });
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new VigilError('VIGIL_ERR_MQTT_TLS', `${link.url}: TLS certificate problem ${code} (${err.message}): renew the broker certificate, or check the gateway clock`, { cause: err });
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new VigilError('VIGIL_ERR_MQTT_TLS', `${link.url}: TLS certificate problem ${code} (${err.message}): the broker certificate does not name this host; connect by a name in its subjectAltName`, { cause: err });
  }
  if (typeof code === 'string' && /SSL|TLS|CERT/.test(code)) {
    return new VigilError('VIGIL_ERR_MQTT_TLS', `${link.url}: TLS problem ${code} (${err.message}): check mqtt.ca, mqtt.cert and mqtt.key`, { cause: err });
  }
  if (typeof code === 'number' && CONNACK_REASONS[code]) {
    return new VigilError('VIGIL_ERR_MQTT_CONNECT', `${link.url}: broker refused the connection, ${CONNACK_REASONS[code]}`, { cause: err });
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT') {
    return new VigilError('VIGIL_ERR_MQTT_CONNECT', `${link.url}: cannot reach the broker (${code}); events wait in the outbox and are sent when it is back`, { cause: err });
  }
  return new VigilError('VIGIL_ERR_MQTT_CONNECT', `${link.url}: ${err.message}${code !== undefined ? ` (${code})` : ''}`, { cause: err });
}
