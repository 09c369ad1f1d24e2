/* zh-window-cells.c: the journal window's cell dialogs (issue 6 §3, §4, §6) — the popover with a
 * mark's form of control, comment and double mark; a deputy's correction (002 §7); the list of
 * edits to settle; the side panel with the focused cell's history.
 *
 * Split from zh-window.c by concern (STYLE.md "Layout"): the window calls
 * _zh_window_cells_class_init and _zh_window_cells_init and keeps nothing of this itself. The
 * edits run on the session's copy in a worker (zh_session_run_async); the school's policy there
 * decides, and a refusal shows in the popover or the dialog that asked. */
#define G_LOG_DOMAIN "zhurnal"

#include "config.h"

#include <glib/gi18n.h>

#include "zh-cell-popover.h"
#include "zh-conflicts-dialog.h"
#include "zh-correction-dialog.h"
#include "zh-window-private.h"

#define POPOVER_KEY "zh-cell-popover"
#define DIALOG_KEY  "zh-cell-dialog"

/* ---- the focused cell ----------------------------------------------------------------------- */

/* The cursor's cell when it is a lesson's cell of a student. */
static gboolean
cursor_cell (ZhWindow *self,
             guint    *row,
             guint    *column)
{
  ZhJournalPage *page = _zh_window_get_page (self);

  return page != NULL && zh_grid_get_cursor (_zh_window_get_grid (self), row, column) &&
         *row < page->n_rows && *column < page->n_lessons;
}

/* «Иванов Пётр · 14.11.2026, Контрольная работа» */
static char *
cell_title (const ZhJournalPage *page,
            guint                row,
            guint                column)
{
  const ZhJournalRow *student = &page->rows[row];
  const ZhJournalLesson *lesson = &page->lessons[column];

  return g_strdup_printf ("%s %s · %.2s.%.2s.%.4s, %s", student->last_name, student->first_name,
                          lesson->date + 8, lesson->date + 5, lesson->date,
                          zh_journal_lesson_kind_title (lesson->kind));
}

/* The cell's last active mark (the one a change or a correction is about), or NULL. */
static const ZhJournalMark *
last_mark (const ZhJournalPage *page,
           guint                row,
           guint                column)
{
  const ZhJournalCell *cell = zh_journal_page_get_cell (page, row, column);
  const ZhJournalMark *marks = zh_journal_page_get_marks (page, cell);
  const ZhJournalMark *last = NULL;

  for (guint i = 0; i < cell->n_marks; i++)
    if (last == NULL || marks[i].entered_at >= last->entered_at)
      last = &marks[i];
  return last;
}

/* ---- edits in the worker -------------------------------------------------------------------- */

typedef enum
{
  CELL_EDIT_ADD,
  CELL_EDIT_CHANGE,
  CELL_EDIT_CORRECT,
} CellEditKind;

typedef struct
{
  CellEditKind        kind;
  ZhWindow           *window;
  GObject            *source;      /* the popover or dialog that asked */
  char               *lesson_id;
  char               *student_id;
  char               *mark_id;
  char               *value;
  char               *second;      /* the second part of a double mark, or NULL */
  char               *work_type;
  char               *comment;
  ZhCorrectionReason  reason;
  char               *document;
} CellEdit;

static void
cell_edit_free (CellEdit *edit)
{
  g_object_unref (edit->window);
  g_object_unref (edit->source);
  g_free (edit->lesson_id);
  g_free (edit->student_id);
  g_free (edit->mark_id);
  g_free (edit->value);
  g_free (edit->second);
  g_free (edit->work_type);
  g_free (edit->comment);
  g_free (edit->document);
  g_free (edit);
}

static gboolean
cell_edit_work (ZhOffline  *offline,
                gpointer    data,
                GError    **error)
{
  CellEdit *edit = data;
  ZhStore *store = zh_offline_get_store (offline);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  switch (edit->kind)
    {
    case CELL_EDIT_ADD:
      if (edit->second == NULL)
        return zh_offline_add_mark_part (offline, edit->lesson_id, edit->student_id, edit->value,
                                         edit->work_type, edit->comment, 0, now, NULL, error);
      /* Both halves of a double mark, or neither (002 §5.2). */
      if (!zh_store_lock (store, error))
        return FALSE;
      if (!zh_offline_add_mark_part (offline, edit->lesson_id, edit->student_id, edit->value,
                                     edit->work_type, edit->comment, 1, now, NULL, error) ||
          !zh_offline_add_mark_part (offline, edit->lesson_id, edit->student_id, edit->second,
                                     edit->work_type, edit->comment, 2, now, NULL, error))
        {
          zh_store_unlock (store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
          return FALSE;
        }
      return zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, error);
    case CELL_EDIT_CHANGE:
      return zh_offline_change_mark (offline, edit->mark_id, edit->value, edit->work_type,
                                     edit->comment, now, error);
    case CELL_EDIT_CORRECT:
      return zh_offline_correct_mark (offline, edit->mark_id, edit->value, edit->reason,
                                      edit->document, now, NULL, error);
    default:
      g_assert_not_reached ();
    }
}

static void
cell_edit_ready_cb (GObject      *source,
                    GAsyncResult *res,
                    gpointer      user_data)
{
  CellEdit *edit = user_data;
  g_autoptr(GError) error = NULL;

  if (!zh_session_run_finish (ZH_SESSION (source), res, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (ZH_IS_CELL_POPOVER (edit->source))
        zh_cell_popover_set_error (ZH_CELL_POPOVER (edit->source), error->message);
      else
        zh_correction_dialog_set_error (ZH_CORRECTION_DIALOG (edit->source), error->message);
      return;
    }
  if (ZH_IS_CELL_POPOVER (edit->source))
    gtk_popover_popdown (GTK_POPOVER (edit->source));
  else
    {
      gtk_window_destroy (GTK_WINDOW (edit->source));
      _zh_window_show_toast (edit->window, _("The mark is corrected; the old mark stays in the "
                                             "journal, struck out, with the reason and the "
                                             "document."));
    }
  _zh_window_reload_page (edit->window);
}

static void
run_edit (ZhWindow *self,
          CellEdit *edit)
{
  ZhSession *session = _zh_window_get_session (self);

  zh_session_run_async (session, cell_edit_work, edit, (GDestroyNotify) cell_edit_free, NULL,
                        cell_edit_ready_cb, edit);
}

static CellEdit *
cell_edit_new (ZhWindow     *self,
               CellEditKind  kind,
               gpointer      source,
               guint         row,
               guint         column)
{
  ZhJournalPage *page = _zh_window_get_page (self);
  CellEdit *edit = g_new0 (CellEdit, 1);

  edit->kind = kind;
  edit->window = g_object_ref (self);
  edit->source = g_object_ref (source);
  edit->lesson_id = g_strdup (page->lessons[column].id);
  edit->student_id = g_strdup (page->rows[row].student_id);
  return edit;
}

/* ---- the cell popover ----------------------------------------------------------------------- */

static void
popover_save_cb (ZhCellPopover *popover,
                 ZhWindow      *self)
{
  guint row = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (popover), "row"));
  guint column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (popover), "column"));
  const char *mark_id = zh_cell_popover_get_mark_id (popover);
  ZhJournalPage *page = _zh_window_get_page (self);
  CellEdit *edit;

  if (_zh_window_get_session (self) == NULL || page == NULL || row >= page->n_rows ||
      column >= page->n_lessons || zh_cell_popover_get_value (popover) == NULL ||
      zh_cell_popover_get_work_type (popover) == NULL)
    return;
  edit = cell_edit_new (self, mark_id != NULL ? CELL_EDIT_CHANGE : CELL_EDIT_ADD, popover, row,
                        column);
  edit->mark_id = g_strdup (mark_id);
  edit->value = g_strdup (zh_cell_popover_get_value (popover));
  edit->second = g_strdup (zh_cell_popover_get_second_value (popover));
  edit->work_type = g_strdup (zh_cell_popover_get_work_type (popover));
  edit->comment = g_strdup (zh_cell_popover_get_comment (popover));
  run_edit (self, edit);
}

static void
popover_closed_cb (ZhWindow *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (_zh_window_get_grid (self)));
}

static void
grid_destroy_cb (GtkWidget *grid,
                 GtkWidget *popover)
{
  gtk_widget_unparent (popover);
}

/* Opens the popover at the cell (@row, @column): a new mark, or a change of the cell's last mark
 * while the school's policy still lets its author change it (002 §5.2). */
static void
open_popover (ZhWindow *self,
              guint     row,
              guint     column)
{
  ZhJournalPage *page = _zh_window_get_page (self);
  ZhGrid *grid = _zh_window_get_grid (self);
  GtkWidget *popover = g_object_get_data (G_OBJECT (self), POPOVER_KEY);
  const ZhJournalMark *mark;
  const ZhJournalCell *cell;
  g_autofree char *title = NULL;
  GdkRectangle area;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (page == NULL || row >= page->n_rows || column >= page->n_lessons)
    return;
  if (_zh_window_get_session (self) == NULL)
    {
      _zh_window_show_toast (self, _("Sign in to enter marks: this journal is open for reading."));
      return;
    }
  cell = zh_journal_page_get_cell (page, row, column);
  if (!(cell->flags & ZH_JOURNAL_CELL_MEMBER))
    return;
  if (popover == NULL)
    {
      popover = zh_cell_popover_new ();
      gtk_widget_set_parent (popover, GTK_WIDGET (grid));
      g_signal_connect (grid, "destroy", G_CALLBACK (grid_destroy_cb), popover);
      g_signal_connect (popover, "save", G_CALLBACK (popover_save_cb), self);
      g_signal_connect_swapped (popover, "closed", G_CALLBACK (popover_closed_cb), self);
      g_object_set_data (G_OBJECT (self), POPOVER_KEY, popover);
    }
  mark = last_mark (page, row, column);
  if (mark != NULL && now - mark->entered_at > (gint64) zh_policy_get_undo_seconds (page->policy))
    mark = NULL;
  title = cell_title (page, row, column);
  zh_cell_popover_set_cell (ZH_CELL_POPOVER (popover), page->policy, title, mark,
                            _zh_window_work_type_for_lesson (page->lessons[column].kind));
  g_object_set_data (G_OBJECT (popover), "row", GUINT_TO_POINTER (row));
  g_object_set_data (G_OBJECT (popover), "column", GUINT_TO_POINTER (column));
  if (zh_grid_get_cell_area (grid, (int) row, (int) column, &area))
    gtk_popover_set_pointing_to (GTK_POPOVER (popover), &area);
  gtk_popover_popup (GTK_POPOVER (popover));
}

static void
cell_activate_cb (ZhGrid   *grid,
                  guint     row,
                  guint     column,
                  ZhWindow *self)
{
  open_popover (self, row, column);
}

static void
edit_cell_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ZhWindow *self = ZH_WINDOW (widget);
  guint row, column;

  if (cursor_cell (self, &row, &column))
    open_popover (self, row, column);
}

/* ---- the correction dialog ------------------------------------------------------------------ */

static void
correction_cb (ZhCorrectionDialog *dialog,
               ZhWindow           *self)
{
  guint row = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "row"));
  guint column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "column"));
  ZhJournalPage *page = _zh_window_get_page (self);
  CellEdit *edit;

  if (_zh_window_get_session (self) == NULL || page == NULL || row >= page->n_rows ||
      column >= page->n_lessons)
    return;
  edit = cell_edit_new (self, CELL_EDIT_CORRECT, dialog, row, column);
  edit->mark_id = g_strdup (zh_correction_dialog_get_mark_id (dialog));
  edit->value = g_strdup (zh_correction_dialog_get_value (dialog));
  edit->reason = zh_correction_dialog_get_reason (dialog);
  edit->document = g_strdup (zh_correction_dialog_get_document (dialog));
  run_edit (self, edit);
}

static void
dialog_destroy_cb (ZhWindow *self)
{
  g_object_set_data (G_OBJECT (self), DIALOG_KEY, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (_zh_window_get_grid (self)));
}

static void
present_dialog (ZhWindow  *self,
                GtkWindow *dialog)
{
  g_object_set_data (G_OBJECT (self), DIALOG_KEY, dialog);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (dialog_destroy_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (dialog);
}

static void
correct_mark_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ZhWindow *self = ZH_WINDOW (widget);
  ZhJournalPage *page = _zh_window_get_page (self);
  ZhJournalAccount *account = _zh_window_get_account (self);
  const ZhJournalMark *mark;
  ZhCorrectionDialog *dialog;
  g_autofree char *title = NULL;
  guint row, column;

  if (!cursor_cell (self, &row, &column))
    return;
  if (_zh_window_get_session (self) == NULL)
    {
      _zh_window_show_toast (self, _("Sign in to correct marks: this journal is open for "
                                     "reading."));
      return;
    }
  if (account == NULL || !zh_policy_role_may_correct (page->policy, account->roles))
    {
      _zh_window_show_toast (self, _("Marks are corrected by the deputy head or the "
                                     "administrator, on a document (002 §7)."));
      return;
    }
  mark = last_mark (page, row, column);
  if (mark == NULL)
    {
      _zh_window_show_toast (self, _("This cell has no mark to correct."));
      return;
    }
  title = cell_title (page, row, column);
  dialog = zh_correction_dialog_new (GTK_WINDOW (self), page->policy, title, mark);
  g_object_set_data (G_OBJECT (dialog), "row", GUINT_TO_POINTER (row));
  g_object_set_data (G_OBJECT (dialog), "column", GUINT_TO_POINTER (column));
  g_signal_connect_object (dialog, "correct", G_CALLBACK (correction_cb), self, 0);
  present_dialog (self, GTK_WINDOW (dialog));
}

/* ---- the conflicts list --------------------------------------------------------------------- */

/* _zh_window_show_conflicts: opens the list of edits the service refused or that conflict. */
void
_zh_window_show_conflicts (ZhWindow *self)
{
  ZhSession *session = _zh_window_get_session (self);
  ZhConflictsDialog *dialog;

  if (session == NULL)
    return;
  dialog = zh_conflicts_dialog_new (GTK_WINDOW (self), session);
  g_signal_connect_object (dialog, "changed", G_CALLBACK (_zh_window_reload_page), self,
                           G_CONNECT_SWAPPED);
  present_dialog (self, GTK_WINDOW (dialog));
}

/* ---- the cell history ----------------------------------------------------------------------- */

/* Shows the cursor cell's history when the panel is open; @force reads it again (after an edit). */
static void
update_history (ZhWindow *self,
                gboolean  force)
{
  ZhHistoryPanel *panel = _zh_window_get_history_panel (self);
  ZhJournalPage *page = _zh_window_get_page (self);
  const char *path = _zh_window_get_path (self);
  g_autofree char *title = NULL;
  guint row, column;

  if (!gtk_widget_get_visible (GTK_WIDGET (panel)) || path == NULL ||
      !cursor_cell (self, &row, &column))
    return;
  if (!force && zh_history_panel_is_showing (panel, page->rows[row].student_id,
                                             page->lessons[column].id))
    return;
  title = cell_title (page, row, column);
  zh_history_panel_show_cell (panel, path, page->rows[row].student_id, page->lessons[column].id,
                              title);
}

static void
toggle_history_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ZhWindow *self = ZH_WINDOW (widget);
  GtkWidget *panel = GTK_WIDGET (_zh_window_get_history_panel (self));

  gtk_widget_set_visible (panel, !gtk_widget_get_visible (panel));
  update_history (self, TRUE);
}

static void
grid_moved_cb (ZhWindow *self)
{
  update_history (self, FALSE);
}

static void
page_shown_cb (ZhWindow *self)
{
  update_history (self, TRUE);
}

/* ---- hooks ---------------------------------------------------------------------------------- */

/* _zh_window_cells_class_init: the window's actions for its cells. */
void
_zh_window_cells_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.edit-cell", NULL, edit_cell_action);
  gtk_widget_class_install_action (widget_class, "win.correct-mark", NULL, correct_mark_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-history", NULL,
                                   toggle_history_action);
}

/* _zh_window_cells_init: the grid's double click and F2 open the cell popover; the history panel
 * follows the grid's cursor (after each key and click on the grid, and each page shown). */
void
_zh_window_cells_init (ZhWindow *self)
{
  ZhGrid *grid = _zh_window_get_grid (self);
  GtkEventController *keys = gtk_event_controller_key_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  g_signal_connect (grid, "cell-activate", G_CALLBACK (cell_activate_cb), self);
  g_signal_connect_swapped (keys, "key-released", G_CALLBACK (grid_moved_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (grid), keys);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_BUBBLE);
  g_signal_connect_swapped (click, "released", G_CALLBACK (grid_moved_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (grid), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (self, "page-shown", G_CALLBACK (page_shown_cb), NULL);
}

/* _zh_window_get_cell_popover: (nullable) (transfer none): the cell popover once opened. */
GtkWidget *
_zh_window_get_cell_popover (ZhWindow *self)
{
  return g_object_get_data (G_OBJECT (self), POPOVER_KEY);
}

/* _zh_window_get_dialog: (nullable) (transfer none): the correction or conflicts dialog open. */
GtkWindow *
_zh_window_get_dialog (ZhWindow *self)
{
  return g_object_get_data (G_OBJECT (self), DIALOG_KEY);
}
