/* zh-conflicts-dialog.c: ZhConflictsDialog — the refused and conflicting edits and their ways out
 * (zh-conflicts-dialog.h).
 *
 * The outbox is read, and each entry put into words (class, subject, date, student, what was
 * typed, the service's version or its reason), in a worker on the session's copy; settling one
 * (zh_offline_resolve, zh_offline_discard) runs there too, then the list is read again and
 * ::changed tells the window to show the page again. */
#define G_LOG_DOMAIN "zhurnal"

#include "config.h"

#include <glib/gi18n.h>

#include "zh-conflicts-dialog.h"
#include "zh-journal.h"

typedef struct
{
  char          *op_id;
  ZhOutboxState  state;
  char          *title;     /* «5А — Математика, 14.11.2026, Иванов Пётр» */
  char          *subtitle;  /* what was typed; the service's version or its reason */
} Item;

static void
item_free (Item *item)
{
  g_free (item->op_id);
  g_free (item->title);
  g_free (item->subtitle);
  g_free (item);
}

struct _ZhConflictsDialog
{
  AdwWindow     parent_instance;

  GtkStack     *stack;
  GtkListBox   *list;

  ZhSession    *session;
  GCancellable *cancellable;
  GPtrArray    *items;      /* of Item */
  guint         busy;       /* works under way */
};

G_DEFINE_FINAL_TYPE (ZhConflictsDialog, zh_conflicts_dialog, ADW_TYPE_WINDOW)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- in the worker: the outbox in words ------------------------------------------------------ */

/* «5А — Математика, 14.11.2026, Иванов Пётр» for a lesson and (if not NULL) a student. */
static char *
describe_place (ZhStore    *store,
                const char *lesson_id,
                const char *student_id)
{
  sqlite3_stmt *stmt = zh_store_prepare (store,
                                         "SELECT c.grade || c.letter, s.name, l.date, "
                                         "(SELECT st.last_name || ' ' || st.first_name FROM student st "
                                         "WHERE st.id = ?2) FROM lesson l "
                                         "JOIN study_group g ON g.id = l.group_id "
                                         "JOIN class c ON c.id = g.class_id "
                                         "JOIN subject s ON s.id = g.subject_id WHERE l.id = ?1",
                                         NULL);
  GString *out = g_string_new (NULL);

  if (stmt == NULL)
    return g_string_free (out, FALSE);
  sqlite3_bind_text (stmt, 1, lesson_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, student_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *date = (const char *) sqlite3_column_text (stmt, 2);

      g_string_append_printf (out, "%s — %s, %.2s.%.2s.%.4s", sqlite3_column_text (stmt, 0),
                              sqlite3_column_text (stmt, 1), date + 8, date + 5, date);
      if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
        g_string_append_printf (out, ", %s", sqlite3_column_text (stmt, 3));
    }
  sqlite3_reset (stmt);
  return g_string_free (out, FALSE);
}

/* The row @json of @info in words: «4 (answer)», «absent», «topic “Дроби”»; NULL: deleted. */
static char *
describe_value (ZhPolicy           *policy,
                const ZhEntityInfo *info,
                const char         *json,
                char              **lesson_id,
                char              **student_id)
{
  if (json == NULL)
    return g_strdup (_("deleted"));
  if (info == &zh_mark_info)
    {
      g_autoptr(ZhMark) mark = zh_entity_from_string (info, json, -1, NULL);
      const char *type = NULL;
      const char *text = NULL;

      if (mark == NULL)
        return g_strdup ("");
      if (lesson_id != NULL && *lesson_id == NULL)
        *lesson_id = g_strdup (mark->lesson_id);
      if (student_id != NULL && *student_id == NULL)
        *student_id = g_strdup (mark->student_id);
      if (policy != NULL)
        {
          zh_policy_lookup_work_type (policy, mark->work_type, &type, NULL, NULL);
          text = zh_policy_get_mark_text (policy, mark->value);
        }
      if (mark->comment[0] != '\0')
        /* Translators: a mark in the list of conflicts: its value, form of control, comment */
        return g_strdup_printf (_("mark %s (%s, “%s”)"), text != NULL ? text : mark->value,
                                type != NULL ? type : mark->work_type, mark->comment);
      /* Translators: a mark in the list of conflicts: its value and form of control */
      return g_strdup_printf (_("mark %s (%s)"), text != NULL ? text : mark->value,
                              type != NULL ? type : mark->work_type);
    }
  if (info == &zh_attendance_info)
    {
      g_autoptr(ZhAttendance) row = zh_entity_from_string (info, json, -1, NULL);

      if (row == NULL)
        return g_strdup ("");
      if (lesson_id != NULL && *lesson_id == NULL)
        *lesson_id = g_strdup (row->lesson_id);
      if (student_id != NULL && *student_id == NULL)
        *student_id = g_strdup (row->student_id);
      return g_strdup (zh_journal_attendance_title (row->code));
    }
  if (info == &zh_lesson_info)
    {
      g_autoptr(ZhLesson) lesson = zh_entity_from_string (info, json, -1, NULL);

      if (lesson == NULL)
        return g_strdup ("");
      if (lesson_id != NULL && *lesson_id == NULL)
        *lesson_id = g_strdup (lesson->id);
      /* Translators: a lesson in the list of conflicts: its topic and homework */
      return g_strdup_printf (_("topic “%s”, homework “%s”"), lesson->topic, lesson->homework);
    }
  return g_strdup (info->name);
}

static Item *
describe (ZhStore       *store,
          ZhPolicy      *policy,
          ZhOutboxEntry *entry)
{
  Item *item = g_new0 (Item, 1);
  g_autofree char *lesson_id = NULL;
  g_autofree char *student_id = NULL;
  g_autofree char *mine = NULL;
  g_autofree char *theirs = NULL;

  item->op_id = g_strdup (entry->op_id);
  item->state = entry->state;
  mine = describe_value (policy, entry->info, entry->action == ZH_OP_ACTION_DELETE ? NULL : entry->value,
                         &lesson_id, &student_id);
  if (entry->state == ZH_OUTBOX_CONFLICT)
    {
      theirs = describe_value (policy, entry->info, entry->server_value, &lesson_id, &student_id);
      /* Translators: a conflict: what the user typed; the service's version */
      item->subtitle = g_strdup_printf (_("You entered: %s. On the service: %s."), mine, theirs);
    }
  else
    /* Translators: a refused edit: what the user typed; the service's reason */
    item->subtitle = g_strdup_printf (_("You entered: %s. Refused: %s"), mine,
                                      entry->reason_message != NULL ? entry->reason_message : "");
  item->title = lesson_id != NULL ? describe_place (store, lesson_id, student_id) : g_strdup ("");
  return item;
}

typedef struct
{
  ZhConflictsDialog *self;
  GPtrArray         *items;       /* the list read */
  char              *op_id;       /* settling: the operation */
  int                resolution;  /* settling: a ZhResolution, or -1 to discard */
} Work;

static void
work_free (Work *work)
{
  g_object_unref (work->self);
  g_clear_pointer (&work->items, g_ptr_array_unref);
  g_free (work->op_id);
  g_free (work);
}

static gboolean
list_work (ZhOffline  *offline,
           gpointer    data,
           GError    **error)
{
  Work *work = data;
  ZhOutboxState states[] = { ZH_OUTBOX_CONFLICT, ZH_OUTBOX_REJECTED };
  g_autoptr(ZhPolicy) policy = NULL;
  sqlite3_stmt *stmt;

  if (work->op_id != NULL &&
      !(work->resolution < 0 ? zh_offline_discard (offline, work->op_id, error)
                             : zh_offline_resolve (offline, work->op_id, work->resolution, error)))
    return FALSE;
  /* The school's policy gives marks and work types their words. */
  stmt = zh_store_prepare (zh_offline_get_store (offline), "SELECT policy FROM school LIMIT 1", NULL);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    policy = zh_policy_new_from_json ((const char *) sqlite3_column_text (stmt, 0), NULL);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  work->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  for (guint s = 0; s < G_N_ELEMENTS (states); s++)
    {
      g_autoptr(GPtrArray) entries = zh_offline_list_outbox (offline, states[s], error);

      if (entries == NULL)
        return FALSE;
      for (guint i = 0; i < entries->len; i++)
        if (((ZhOutboxEntry *) entries->pdata[i])->info != NULL)
          g_ptr_array_add (work->items, describe (zh_offline_get_store (offline), policy,
                                                  entries->pdata[i]));
    }
  return TRUE;
}

/* ---- in the main thread ---------------------------------------------------------------------- */

static void settle (ZhConflictsDialog *self,
                    const char        *op_id,
                    int                resolution);

static void
keep_mine_cb (GtkButton         *button,
              ZhConflictsDialog *self)
{
  settle (self, g_object_get_data (G_OBJECT (button), "op-id"), ZH_RESOLVE_KEEP_MINE);
}

static void
take_theirs_cb (GtkButton         *button,
                ZhConflictsDialog *self)
{
  settle (self, g_object_get_data (G_OBJECT (button), "op-id"), ZH_RESOLVE_TAKE_THEIRS);
}

static void
discard_cb (GtkButton         *button,
            ZhConflictsDialog *self)
{
  settle (self, g_object_get_data (G_OBJECT (button), "op-id"), -1);
}

static GtkWidget *
add_button (ZhConflictsDialog *self,
            GtkWidget         *box,
            const char        *label,
            const char        *op_id,
            GCallback          callback)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (button), "op-id", g_strdup (op_id), g_free);
  g_signal_connect (button, "clicked", callback, self);
  gtk_box_append (GTK_BOX (box), button);
  return button;
}

static void
show_items (ZhConflictsDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = self->items->pdata[i];
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), item->title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), item->subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
      if (item->state == ZH_OUTBOX_CONFLICT)
        {
          add_button (self, box, _("_Keep Mine"), item->op_id, G_CALLBACK (keep_mine_cb));
          add_button (self, box, _("_Take the Service’s"), item->op_id, G_CALLBACK (take_theirs_cb));
        }
      else
        add_button (self, box, _("_Undo the Change"), item->op_id, G_CALLBACK (discard_cb));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);
      gtk_list_box_append (self->list, row);
    }
  gtk_stack_set_visible_child_name (self->stack, self->items->len > 0 ? "list" : "empty");
}

static void
work_ready_cb (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  Work *work = user_data;
  ZhConflictsDialog *self = work->self;
  g_autoptr(GError) error = NULL;
  gboolean ok = zh_session_run_finish (ZH_SESSION (source), res, &error);

  self->busy--;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (work->items != NULL)
    {
      g_clear_pointer (&self->items, g_ptr_array_unref);
      self->items = g_steal_pointer (&work->items);
      show_items (self);
    }
  if (!ok)
    g_warning ("%s", error->message);
  if (work->op_id != NULL)
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
run (ZhConflictsDialog *self,
     const char        *op_id,
     int                resolution)
{
  Work *work = g_new0 (Work, 1);

  work->self = g_object_ref (self);
  work->op_id = g_strdup (op_id);
  work->resolution = resolution;
  self->busy++;
  zh_session_run_async (self->session, list_work, work, (GDestroyNotify) work_free,
                        self->cancellable, work_ready_cb, work);
}

static void
settle (ZhConflictsDialog *self,
        const char        *op_id,
        int                resolution)
{
  run (self, op_id, resolution);
}

/* zh_conflicts_dialog_reload: reads the outbox's refused and conflicting edits again. */
void
zh_conflicts_dialog_reload (ZhConflictsDialog *self)
{
  g_return_if_fail (ZH_IS_CONFLICTS_DIALOG (self));
  run (self, NULL, 0);
}

static void
zh_conflicts_dialog_dispose (GObject *object)
{
  ZhConflictsDialog *self = ZH_CONFLICTS_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), ZH_TYPE_CONFLICTS_DIALOG);

  G_OBJECT_CLASS (zh_conflicts_dialog_parent_class)->dispose (object);
}

static void
zh_conflicts_dialog_finalize (GObject *object)
{
  ZhConflictsDialog *self = ZH_CONFLICTS_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (zh_conflicts_dialog_parent_class)->finalize (object);
}

static void
zh_conflicts_dialog_class_init (ZhConflictsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zh_conflicts_dialog_dispose;
  object_class->finalize = zh_conflicts_dialog_finalize;

  /* ZhConflictsDialog::changed: an edit was settled; the copy shows something else now. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/zhurnal/Zhurnal/zh-conflicts-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ZhConflictsDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, ZhConflictsDialog, list);
}

static void
zh_conflicts_dialog_init (ZhConflictsDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
}

/* zh_conflicts_dialog_new: (transfer none): the list of @session's edits to settle, over
 * @parent; it reads them at once. */
ZhConflictsDialog *
zh_conflicts_dialog_new (GtkWindow *parent,
                         ZhSession *session)
{
  ZhConflictsDialog *self;

  g_return_val_if_fail (ZH_IS_SESSION (session), NULL);

  self = g_object_new (ZH_TYPE_CONFLICTS_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  zh_conflicts_dialog_reload (self);
  return self;
}

/* _zh_conflicts_dialog_get_n_items: how many edits the list shows. */
guint
_zh_conflicts_dialog_get_n_items (ZhConflictsDialog *self)
{
  return self->items->len;
}

/* _zh_conflicts_dialog_get_text: the title and subtitle of the item @index, one line each. */
const char *
_zh_conflicts_dialog_get_text (ZhConflictsDialog *self,
                               guint              index)
{
  Item *item = self->items->pdata[index];
  char *text = g_strconcat (item->title, "\n", item->subtitle, NULL);

  g_object_set_data_full (G_OBJECT (self), "zh-test-text", text, g_free);
  return text;
}

/* _zh_conflicts_dialog_settle: presses the item @index's button for @resolution, or «Undo the
 * change» when @resolution is -1. */
void
_zh_conflicts_dialog_settle (ZhConflictsDialog *self,
                             guint              index,
                             ZhResolution       resolution)
{
  Item *item = self->items->pdata[index];

  settle (self, item->op_id, (int) resolution);
}

/* _zh_conflicts_dialog_get_busy: whether a read or a settling is under way. */
gboolean
_zh_conflicts_dialog_get_busy (ZhConflictsDialog *self)
{
  return self->busy > 0;
}
