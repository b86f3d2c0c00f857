export interface DialogTabs {
  mark(): void;
  openFirstInvalid(): void;
}

/**
 * Tabs for a dialog: `#<prefix>-tabs` holds them, each tab's fields are in `#<prefix>-tab-<key>`
 * inside `#<prefix>-tabs-content`. A tab holding a field marked invalid (by the editor, or by the
 * dialog's own checks) shows a warning sign; `afterMark` runs after each marking (for fields
 * the sign cannot show, e.g. a row of checkboxes).
 */
export function tabs(prefix: string, list: ReadonlyArray<readonly string[]>, afterMark?: () => void): DialogTabs {
  const created = RED.tabs.create({
    id: prefix + '-tabs',
    onchange: (tab) => {
      $('#' + prefix + '-tabs-content').children().hide();
      $('#' + tab.id).show();
    },
  });
  list.forEach((t) => created.addTab({ id: prefix + '-tab-' + t[0], label: t[1] }));
  const errorClass = prefix + '-tab-error';
  function mark(): void {
    list.forEach((t) => {
      const bad = $('#' + prefix + '-tab-' + t[0]).find('.input-error').length > 0;
      const link = $('#red-ui-tab-' + prefix + '-tab-' + t[0]).find('.red-ui-tab-label');
      link.find('.' + errorClass).remove();
      if (bad) $('<i/>', { class: 'fa fa-exclamation-triangle ' + errorClass, style: 'margin-right: 5px; color: var(--red-ui-text-color-error, #d6615f)' }).prependTo(link);
    });
    if (afterMark) afterMark();
  }
  // The editor validates every field on each change; look afterwards.
  $('#' + prefix + '-tabs').closest('form').on('change keyup paste input', () => setTimeout(mark, 0));
  /** After the editor's first validation of the dialog: mark the tabs, open the first with a problem. */
  function openFirstInvalid(): void {
    setTimeout(() => {
      mark();
      const first = list.find((t) => $('#' + prefix + '-tab-' + t[0]).find('.input-error').length);
      if (first) created.activateTab(prefix + '-tab-' + first[0]);
    }, 0);
  }
  return { mark, openFirstInvalid };
}
