/** The database config node's dialog: the URL and TLS choice explained as the user types. */
import { databaseSpec, databaseUrlError } from '../../nodes/tradebot-database/spec';
import { fromSpec } from '../shared/definition';

export const database = () => {
  const def = fromSpec(databaseSpec, {
    oneditprepare: function () {
      function showUrl(): void {
        const err = databaseUrlError($('#node-config-input-url').val());
        $('#node-config-tradebot-database-url-tip')
          .text(err || 'postgres://host:port/database; the user and password go in the fields below')
          .css('color', err ? 'var(--red-ui-text-color-error, #c00)' : '');
      }
      function showTls(): void {
        const tls = $('#node-config-input-tls').val();
        $('.tradebot-database-ca').toggle(tls === 'verify');
        $('#node-config-tradebot-database-tls-tip').text(
          tls === 'verify'
            ? "encrypted; the server's certificate and host name are checked (verify-full)"
            : tls === 'require'
              ? "encrypted, but the server's certificate is not checked: only on a network you trust"
              : 'not encrypted: for a server on this machine or a private network',
        );
      }
      $('#node-config-input-url').on('change keyup input', showUrl);
      $('#node-config-input-tls').on('change', showTls);
      showUrl();
      showTls();
    },
  });
  def.paletteLabel = 'database';
  def.credentials = { user: { type: 'text' }, password: { type: 'password' } };
  return def;
};
