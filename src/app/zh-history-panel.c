/* zh-history-panel.c: ZhHistoryPanel — the history of the focused cell (zh-history-panel.h).
 *
 * zh_journal_cell_history runs in a worker on a read-only connection of the panel's own to the
 * file the window shows; the newest read wins (an older one still running is cancelled). */
#define G_LOG_DOMAIN "zhurnal"

#include "config.h"

#include <glib/gi18n.h>

#include "zh-history-panel.h"
#include "zh-journal.h"

struct _ZhHistoryPanel
{
  GtkBox        parent_instance;

  GtkLabel     *cell_label;
  GtkListBox   *list;

  GCancellable *cancellable;
  char         *student_id;
  char         *lesson_id;
  GPtrArray    *entries;      /* of ZhJournalHistoryEntry, as shown */
};

G_DEFINE_FINAL_TYPE (ZhHistoryPanel, zh_history_panel, GTK_TYPE_BOX)

typedef struct
{
  char *path;
  char *student_id;
  char *lesson_id;
} Query;

static void
query_free (Query *query)
{
  g_free (query->path);
  g_free (query->student_id);
  g_free (query->lesson_id);
  g_free (query);
}

static void
history_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Query *query = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = zh_store_open (query->path, ZH_STORE_FLAGS_READ_ONLY, &error);
  GPtrArray *entries = NULL;

  if (store != NULL)
    entries = zh_journal_cell_history (store, query->student_id, query->lesson_id, &error);
  if (entries == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, entries, (GDestroyNotify) g_ptr_array_unref);
}

static GtkWidget *
entry_row (ZhJournalHistoryEntry *entry)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *text = gtk_label_new (entry->text);
  g_autofree char *meta = NULL;
  GtkWidget *label;

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  if (entry->kind == ZH_JOURNAL_HISTORY_MARK && !entry->active)
    gtk_widget_add_css_class (text, "zh-history-struck");
  gtk_box_append (GTK_BOX (box), text);
  meta = entry->author[0] != '\0' ? g_strdup_printf ("%s · %s", entry->time, entry->author)
                                  : g_strdup (entry->time);
  label = gtk_label_new (meta);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), label);
  if (entry->reason != NULL)
    {
      g_autofree char *why = NULL;

      /* Translators: a correction in the cell's history: its reason and document (002 §7) */
      why = g_strdup_printf (_("Reason: %s. Document: %s"), entry->reason,
                             entry->document != NULL ? entry->document : "");
      label = gtk_label_new (why);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "caption");
      gtk_box_append (GTK_BOX (box), label);
    }
  return box;
}

static void
show_entries (ZhHistoryPanel *self,
              GPtrArray      *entries)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  self->entries = entries;
  if (entries->len == 0)
    {
      GtkWidget *empty = gtk_label_new (_("Nothing was entered in this cell."));

      gtk_widget_set_margin_top (empty, 12);
      gtk_widget_set_margin_bottom (empty, 12);
      gtk_widget_add_css_class (empty, "dim-label");
      gtk_list_box_append (self->list, empty);
    }
  for (guint i = 0; i < entries->len; i++)
    gtk_list_box_append (self->list, entry_row (entries->pdata[i]));
}

static void
history_ready_cb (GObject      *source,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  ZhHistoryPanel *self = ZH_HISTORY_PANEL (source);
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = g_task_propagate_pointer (G_TASK (res), &error);

  if (entries == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("%s", error->message);
      return;
    }
  if (g_task_get_cancellable (G_TASK (res)) == self->cancellable)
    g_clear_object (&self->cancellable);
  show_entries (self, entries);
}

/* zh_history_panel_show_cell: shows the history of @student_id in @lesson_id, read from the
 * journal file @path, under @heading («Иванов Пётр, 14.11, Контрольная работа»). */
void
zh_history_panel_show_cell (ZhHistoryPanel *self,
                            const char     *path,
                            const char     *student_id,
                            const char     *lesson_id,
                            const char     *heading)
{
  g_autoptr(GTask) task = NULL;
  Query *query;

  g_return_if_fail (ZH_IS_HISTORY_PANEL (self));
  g_return_if_fail (path != NULL && student_id != NULL && lesson_id != NULL);

  g_free (self->student_id);
  self->student_id = g_strdup (student_id);
  g_free (self->lesson_id);
  self->lesson_id = g_strdup (lesson_id);
  gtk_label_set_label (self->cell_label, heading);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  query = g_new0 (Query, 1);
  query->path = g_strdup (path);
  query->student_id = g_strdup (student_id);
  query->lesson_id = g_strdup (lesson_id);
  task = g_task_new (self, self->cancellable, history_ready_cb, NULL);
  g_task_set_source_tag (task, zh_history_panel_show_cell);
  g_task_set_task_data (task, query, (GDestroyNotify) query_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, history_thread);
}

/* zh_history_panel_is_showing: whether the panel shows the cell of @student_id in @lesson_id. */
gboolean
zh_history_panel_is_showing (ZhHistoryPanel *self,
                             const char     *student_id,
                             const char     *lesson_id)
{
  g_return_val_if_fail (ZH_IS_HISTORY_PANEL (self), FALSE);
  return g_strcmp0 (self->student_id, student_id) == 0 &&
         g_strcmp0 (self->lesson_id, lesson_id) == 0;
}

static void
zh_history_panel_dispose (GObject *object)
{
  ZhHistoryPanel *self = ZH_HISTORY_PANEL (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), ZH_TYPE_HISTORY_PANEL);

  G_OBJECT_CLASS (zh_history_panel_parent_class)->dispose (object);
}

static void
zh_history_panel_finalize (GObject *object)
{
  ZhHistoryPanel *self = ZH_HISTORY_PANEL (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_free (self->student_id);
  g_free (self->lesson_id);

  G_OBJECT_CLASS (zh_history_panel_parent_class)->finalize (object);
}

static void
zh_history_panel_class_init (ZhHistoryPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zh_history_panel_dispose;
  object_class->finalize = zh_history_panel_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/zhurnal/Zhurnal/zh-history-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, ZhHistoryPanel, cell_label);
  gtk_widget_class_bind_template_child (widget_class, ZhHistoryPanel, list);
}

static void
zh_history_panel_init (ZhHistoryPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* zh_history_panel_new: an empty panel. */
GtkWidget *
zh_history_panel_new (void)
{
  return g_object_new (ZH_TYPE_HISTORY_PANEL, NULL);
}

/* _zh_history_panel_dup_text: (transfer full): the entries shown, «time · author: text (reason,
 * document)», one a line. */
char *
_zh_history_panel_dup_text (ZhHistoryPanel *self)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; self->entries != NULL && i < self->entries->len; i++)
    {
      ZhJournalHistoryEntry *entry = self->entries->pdata[i];

      g_string_append_printf (out, "%s · %s: %s", entry->time, entry->author, entry->text);
      if (entry->reason != NULL)
        g_string_append_printf (out, " (%s, %s)", entry->reason, entry->document);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

/* _zh_history_panel_get_busy: whether a read is under way. */
gboolean
_zh_history_panel_get_busy (ZhHistoryPanel *self)
{
  return self->cancellable != NULL;
}
