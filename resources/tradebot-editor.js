/**
 * Editor helpers shared by the tradebot nodes' edit dialogs. Node-RED serves a module's
 * resources/ folder at resources/<module>/…; a node's .html loads this file with a script tag
 * before it registers its type. Plain ES5: it runs in the user's browser as it is.
 */
(function () {
  'use strict';
  if (window.tradebotEditor) return;

  /** Nodes of a type wired (directly or through other nodes, not through `stopAt` nodes) into `node`. */
  function upstream(node, type, stopAt) {
    var found = [];
    try {
      var seen = {};
      seen[node.id] = true;
      var queue = [node];
      var visited = 0;
      while (queue.length && visited < 500) {
        var n = queue.shift();
        visited++;
        RED.nodes.filterLinks({ target: n }).forEach(function (l) {
          var s = l.source;
          if (!s || seen[s.id]) return;
          seen[s.id] = true;
          if (s.type === type) found.push(s);
          if (!stopAt || s.type !== stopAt) queue.push(s);
        });
      }
    } catch (err) {
      // suggestions only: an editor without this API just offers none
    }
    return found;
  }

  /**
   * Tabs for a dialog: `#<prefix>-tabs` holds them, each tab's fields are in `#<prefix>-tab-<key>`
   * inside `#<prefix>-tabs-content`. A tab holding a field marked invalid (by the editor, or by the
   * dialog's own checks) shows a warning sign; `afterMark` runs after each marking (for fields
   * the sign cannot show, e.g. a row of checkboxes). Returns { mark(), openFirstInvalid() }.
   */
  function tabs(prefix, list, afterMark) {
    var created = RED.tabs.create({
      id: prefix + '-tabs',
      onchange: function (tab) {
        $('#' + prefix + '-tabs-content').children().hide();
        $('#' + tab.id).show();
      },
    });
    list.forEach(function (t) {
      created.addTab({ id: prefix + '-tab-' + t[0], label: t[1] });
    });
    var errorClass = prefix + '-tab-error';
    function mark() {
      list.forEach(function (t) {
        var bad = $('#' + prefix + '-tab-' + t[0]).find('.input-error').length > 0;
        var link = $('#red-ui-tab-' + prefix + '-tab-' + t[0]).find('.red-ui-tab-label');
        link.find('.' + errorClass).remove();
        if (bad) $('<i/>', { class: 'fa fa-exclamation-triangle ' + errorClass, style: 'margin-right: 5px; color: var(--red-ui-text-color-error, #d6615f)' }).prependTo(link);
      });
      if (afterMark) afterMark();
    }
    // The editor validates every field on each change; look afterwards.
    $('#' + prefix + '-tabs').closest('form').on('change keyup paste input', function () {
      setTimeout(mark, 0);
    });
    /** After the editor's first validation of the dialog: mark the tabs, open the first with a problem. */
    function openFirstInvalid() {
      setTimeout(function () {
        mark();
        for (var i = 0; i < list.length; i++) {
          if ($('#' + prefix + '-tab-' + list[i][0]).find('.input-error').length) {
            created.activateTab(prefix + '-tab-' + list[i][0]);
            break;
          }
        }
      }, 0);
    }
    return { mark: mark, openFirstInvalid: openFirstInvalid };
  }

  function blank(v) {
    return v === '' || v === null || v === undefined;
  }
  function isNum(v) {
    return !blank(v) && typeof v !== 'boolean' && isFinite(Number(v));
  }
  function text(v) {
    return blank(v) ? '' : String(v);
  }

  /**
   * What a validator reads for `prop`: while the node's own dialog is open (`editingId`), the field
   * being edited, so "needed for this choice" follows what the user picks; else the saved value.
   */
  function edited(editingId, node, prop) {
    if (editingId !== null && editingId === node.id) {
      var el = $('#node-input-' + prop);
      if (el.length) return el.attr('type') === 'checkbox' ? el.prop('checked') : el.val();
    }
    return node[prop];
  }

  window.tradebotEditor = { upstream: upstream, tabs: tabs, edited: edited, blank: blank, isNum: isNum, text: text };
})();
