/* zh-correction-dialog.c: ZhCorrectionDialog — a deputy's correction of a mark
 * (zh-correction-dialog.h). It collects the new mark, the reason and the document; its owner
 * (zh-window-cells.c) asks the offline copy to make the correction when ::correct is emitted, so
 * the school's policy — not this dialog — decides, and a refusal (no document) shows here. */
#define G_LOG_DOMAIN "zhurnal"

#include "config.h"

#include <glib/gi18n.h>

#include "zh-correction-dialog.h"

struct _ZhCorrectionDialog
{
  AdwWindow     parent_instance;

  AdwActionRow *old_row;
  AdwComboRow  *value_row;
  AdwComboRow  *reason_row;
  AdwEntryRow  *document_row;
  GtkLabel     *error_label;

  GPtrArray    *values;    /* codes of the scale's current marks, as listed */
  char         *mark_id;
};

G_DEFINE_FINAL_TYPE (ZhCorrectionDialog, zh_correction_dialog, ADW_TYPE_WINDOW)

enum
{
  CORRECT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
correct_clicked_cb (ZhCorrectionDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  g_signal_emit (self, signals[CORRECT], 0);
}

static void
zh_correction_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), ZH_TYPE_CORRECTION_DIALOG);

  G_OBJECT_CLASS (zh_correction_dialog_parent_class)->dispose (object);
}

static void
zh_correction_dialog_finalize (GObject *object)
{
  ZhCorrectionDialog *self = ZH_CORRECTION_DIALOG (object);

  g_clear_pointer (&self->values, g_ptr_array_unref);
  g_free (self->mark_id);

  G_OBJECT_CLASS (zh_correction_dialog_parent_class)->finalize (object);
}

static void
zh_correction_dialog_class_init (ZhCorrectionDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zh_correction_dialog_dispose;
  object_class->finalize = zh_correction_dialog_finalize;

  /* ZhCorrectionDialog::correct: the user asked for the correction; read it with the getters. */
  signals[CORRECT] = g_signal_new ("correct", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/zhurnal/Zhurnal/zh-correction-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ZhCorrectionDialog, old_row);
  gtk_widget_class_bind_template_child (widget_class, ZhCorrectionDialog, value_row);
  gtk_widget_class_bind_template_child (widget_class, ZhCorrectionDialog, reason_row);
  gtk_widget_class_bind_template_child (widget_class, ZhCorrectionDialog, document_row);
  gtk_widget_class_bind_template_child (widget_class, ZhCorrectionDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, correct_clicked_cb);
}

static void
zh_correction_dialog_init (ZhCorrectionDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->values = g_ptr_array_new_with_free_func (g_free);
}

/* zh_correction_dialog_new: (transfer none): a dialog over @parent for correcting @mark of the
 * cell titled @title, the new mark chosen from @policy's scale. */
ZhCorrectionDialog *
zh_correction_dialog_new (GtkWindow           *parent,
                          ZhPolicy            *policy,
                          const char          *title,
                          const ZhJournalMark *mark)
{
  ZhCorrectionDialog *self;
  g_autoptr(GtkStringList) values = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) reasons = gtk_string_list_new (NULL);
  g_autofree char *old = NULL;
  const char *weight_title = NULL;
  guint selected = 0;
  gboolean found = FALSE;

  g_return_val_if_fail (policy != NULL && mark != NULL, NULL);

  self = g_object_new (ZH_TYPE_CORRECTION_DIALOG, "transient-for", parent, NULL);
  self->mark_id = g_strdup (mark->id);
  for (guint i = 0; i < zh_policy_get_n_mark_values (policy); i++)
    {
      const char *code = zh_policy_get_mark_value_code (policy, i);
      const char *text = NULL;
      ZhMarkUse use = ZH_MARK_USE_NONE;

      zh_policy_lookup_mark_value (policy, code, &text, NULL, NULL, &use);
      if (!(use & ZH_MARK_USE_CURRENT))
        continue;
      /* The new mark starts on the first value other than the old one. */
      if (!found && !g_str_equal (code, mark->value))
        {
          selected = self->values->len;
          found = TRUE;
        }
      g_ptr_array_add (self->values, g_strdup (code));
      gtk_string_list_append (values, text);
    }
  adw_combo_row_set_model (self->value_row, G_LIST_MODEL (values));
  adw_combo_row_set_selected (self->value_row, selected);
  for (int reason = ZH_CORRECTION_REASON_DEBT_CLEARED; reason <= ZH_CORRECTION_REASON_REATTESTATION;
       reason++)
    {
      const char *title_text = zh_journal_correction_reason_title (reason);
      gunichar first = g_unichar_toupper (g_utf8_get_char (title_text));
      char head[8] = { 0 };
      g_autofree char *text = NULL;

      /* The reasons read as a list's items: capitalised. */
      g_unichar_to_utf8 (first, head);
      text = g_strconcat (head, g_utf8_next_char (title_text), NULL);
      gtk_string_list_append (reasons, text);
    }
  adw_combo_row_set_model (self->reason_row, G_LIST_MODEL (reasons));

  zh_policy_lookup_work_type (policy, mark->work_type, &weight_title, NULL, NULL);
  /* Translators: the mark before a correction and its work type: «4 — Контрольная работа» */
  old = g_strdup_printf (_("%s — %s"), zh_policy_get_mark_text (policy, mark->value),
                         weight_title != NULL ? weight_title : mark->work_type);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->old_row), title);
  adw_action_row_set_subtitle (self->old_row, old);
  return self;
}

/* zh_correction_dialog_get_mark_id: the mark corrected. */
const char *
zh_correction_dialog_get_mark_id (ZhCorrectionDialog *self)
{
  g_return_val_if_fail (ZH_IS_CORRECTION_DIALOG (self), NULL);
  return self->mark_id;
}

/* zh_correction_dialog_get_value: the code of the new mark. */
const char *
zh_correction_dialog_get_value (ZhCorrectionDialog *self)
{
  guint selected;

  g_return_val_if_fail (ZH_IS_CORRECTION_DIALOG (self), NULL);
  selected = adw_combo_row_get_selected (self->value_row);
  return selected < self->values->len ? self->values->pdata[selected] : "";
}

/* zh_correction_dialog_get_reason: the reason chosen. */
ZhCorrectionReason
zh_correction_dialog_get_reason (ZhCorrectionDialog *self)
{
  g_return_val_if_fail (ZH_IS_CORRECTION_DIALOG (self), 0);
  return (ZhCorrectionReason) adw_combo_row_get_selected (self->reason_row);
}

/* zh_correction_dialog_get_document: the document typed, as typed. */
const char *
zh_correction_dialog_get_document (ZhCorrectionDialog *self)
{
  g_return_val_if_fail (ZH_IS_CORRECTION_DIALOG (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->document_row));
}

/* zh_correction_dialog_set_error: shows why the correction was refused. */
void
zh_correction_dialog_set_error (ZhCorrectionDialog *self,
                                const char         *message)
{
  g_return_if_fail (ZH_IS_CORRECTION_DIALOG (self));
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* zh_correction_dialog_get_error: the refusal shown, or "" . */
const char *
zh_correction_dialog_get_error (ZhCorrectionDialog *self)
{
  g_return_val_if_fail (ZH_IS_CORRECTION_DIALOG (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->error_label))
         ? gtk_label_get_label (self->error_label) : "";
}

/* _zh_correction_dialog_fill: for the UI tests: fill the fields as a user would. */
void
_zh_correction_dialog_fill (ZhCorrectionDialog *self,
                            const char         *value,
                            ZhCorrectionReason  reason,
                            const char         *document)
{
  guint index;

  if (g_ptr_array_find_with_equal_func (self->values, value, g_str_equal, &index))
    adw_combo_row_set_selected (self->value_row, index);
  adw_combo_row_set_selected (self->reason_row, reason);
  gtk_editable_set_text (GTK_EDITABLE (self->document_row), document);
}
