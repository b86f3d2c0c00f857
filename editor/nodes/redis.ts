/** The Redis config node's dialog: TLS, password-in-URL, options and cluster explained as the user types. */
import { redisOptionsError, redisSpec } from '../../nodes/tradebot-redis/spec';
import { fromSpec } from '../shared/definition';
import { text } from '../shared/values';

function prepare(): void {
  function showUrl(): void {
    const url = text($('#node-config-input-url').val()).trim();
    const tls = /^rediss:\/\//.test(url);
    $('#node-config-input-tlsRejectUnauthorized').prop('disabled', !tls);
    $('.tradebot-redis-tls').toggleClass('tradebot-redis-muted', !tls);
    $('#node-config-tradebot-redis-tls-tip').text(
      tls
        ? $('#node-config-input-tlsRejectUnauthorized').is(':checked')
          ? "TLS: the server's certificate is verified"
          : "TLS without checking the server's certificate: only for a self-signed certificate on a network you trust"
        : 'only for rediss:// (TLS) URLs',
    );
    // A password in the URL is saved in the flow (and exported with it); the Password field is a credential.
    $('#node-config-tradebot-redis-url-tip').toggle(/^rediss?:\/\/[^/]*:[^/@]*@/.test(url));
  }
  function showOptions(): void {
    const err = redisOptionsError($('#node-config-input-options').val());
    $('#node-config-tradebot-redis-options-tip')
      .text(err ? err : 'extra ioredis options; empty for a single server')
      .css('color', err ? 'var(--red-ui-text-color-error, #c00)' : '');
  }
  function showCluster(): void {
    $('#node-config-tradebot-redis-cluster-tip').text(
      $('#node-config-input-cluster').is(':checked')
        ? 'seed nodes from "nodes" in the options below, else the URL\'s host; every node gets the password'
        : 'a single server, or a Sentinel group when the options list "sentinels"',
    );
  }
  $('#node-config-input-url').on('change keyup input', showUrl);
  $('#node-config-input-tlsRejectUnauthorized').on('change', showUrl);
  $('#node-config-input-options').on('change keyup input', showOptions);
  $('#node-config-input-cluster').on('change', showCluster);
  showUrl();
  showOptions();
  showCluster();
}

export const redis = () => {
  const def = fromSpec(redisSpec, {
    oneditprepare: prepare,
    oneditsave: function () {
      // Stored as the text typed (the runtime parses it); only trimmed.
      $('#node-config-input-options').val(text($('#node-config-input-options').val()).trim());
    },
  });
  def.credentials = { username: { type: 'text' }, password: { type: 'password' } };
  return def;
};
