/* zh-cell-popover.c: ZhCellPopover — the details of a mark at its cell (zh-cell-popover.h).
 *
 * It only shows and collects: the school's scale and work types come from its policy, and the
 * owner (zh-window-cells.c) makes the edit when ::save is emitted, showing a refusal with
 * zh_cell_popover_set_error. Keyboard only: Tab moves, Enter saves, Escape closes. */
#define G_LOG_DOMAIN "zhurnal"

#include "config.h"

#include <glib/gi18n.h>

#include "zh-cell-popover.h"

struct _ZhCellPopover
{
  GtkPopover      parent_instance;

  GtkLabel       *title_label;
  GtkDropDown    *value_dropdown;
  GtkDropDown    *work_type_dropdown;
  GtkCheckButton *double_check;
  GtkDropDown    *second_dropdown;
  GtkEntry       *comment_entry;
  GtkLabel       *error_label;

  GPtrArray      *values;      /* codes of the scale's current marks, as listed */
  GPtrArray      *work_types;  /* codes of the work types, as listed */
  char           *mark_id;     /* the mark changed, or NULL for a new one */
};

G_DEFINE_FINAL_TYPE (ZhCellPopover, zh_cell_popover, GTK_TYPE_POPOVER)

enum
{
  SAVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
save_clicked_cb (ZhCellPopover *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  g_signal_emit (self, signals[SAVE], 0);
}

static void
cancel_clicked_cb (ZhCellPopover *self)
{
  gtk_popover_popdown (GTK_POPOVER (self));
}

static void
zh_cell_popover_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), ZH_TYPE_CELL_POPOVER);

  G_OBJECT_CLASS (zh_cell_popover_parent_class)->dispose (object);
}

static void
zh_cell_popover_finalize (GObject *object)
{
  ZhCellPopover *self = ZH_CELL_POPOVER (object);

  g_clear_pointer (&self->values, g_ptr_array_unref);
  g_clear_pointer (&self->work_types, g_ptr_array_unref);
  g_free (self->mark_id);

  G_OBJECT_CLASS (zh_cell_popover_parent_class)->finalize (object);
}

static void
zh_cell_popover_class_init (ZhCellPopoverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zh_cell_popover_dispose;
  object_class->finalize = zh_cell_popover_finalize;

  /* ZhCellPopover::save: the user confirmed; read the choices with the getters. */
  signals[SAVE] = g_signal_new ("save", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/zhurnal/Zhurnal/zh-cell-popover.ui");
  gtk_widget_class_bind_template_child (widget_class, ZhCellPopover, title_label);
  gtk_widget_class_bind_template_child (widget_class, ZhCellPopover, value_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ZhCellPopover, work_type_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ZhCellPopover, double_check);
  gtk_widget_class_bind_template_child (widget_class, ZhCellPopover, second_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ZhCellPopover, comment_entry);
  gtk_widget_class_bind_template_child (widget_class, ZhCellPopover, error_label);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
}

static void
zh_cell_popover_init (ZhCellPopover *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->values = g_ptr_array_new_with_free_func (g_free);
  self->work_types = g_ptr_array_new_with_free_func (g_free);
}

/* zh_cell_popover_new: a popover for a cell; give it its cell with zh_cell_popover_set_cell. */
GtkWidget *
zh_cell_popover_new (void)
{
  return g_object_new (ZH_TYPE_CELL_POPOVER, NULL);
}

static guint
find_code (GPtrArray  *codes,
           const char *code)
{
  guint index;

  if (code != NULL && g_ptr_array_find_with_equal_func (codes, code, g_str_equal, &index))
    return index;
  return 0;
}

/* zh_cell_popover_set_cell: fills the popover for a cell titled @title: the marks of @policy's
 * scale that may be current marks, its work types as «Контрольная работа ×2»; for an existing
 * @mark its value, work type and comment (a change), else @work_type chosen (a new mark). */
void
zh_cell_popover_set_cell (ZhCellPopover        *self,
                          ZhPolicy             *policy,
                          const char           *title,
                          const ZhJournalMark  *mark,
                          const char           *work_type)
{
  g_autoptr(GtkStringList) values = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) seconds = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) types = gtk_string_list_new (NULL);

  g_return_if_fail (ZH_IS_CELL_POPOVER (self));
  g_return_if_fail (policy != NULL);

  g_ptr_array_set_size (self->values, 0);
  g_ptr_array_set_size (self->work_types, 0);
  for (guint i = 0; i < zh_policy_get_n_mark_values (policy); i++)
    {
      const char *code = zh_policy_get_mark_value_code (policy, i);
      const char *text = NULL;
      ZhMarkUse use = ZH_MARK_USE_NONE;

      zh_policy_lookup_mark_value (policy, code, &text, NULL, NULL, &use);
      if (!(use & ZH_MARK_USE_CURRENT))
        continue;
      g_ptr_array_add (self->values, g_strdup (code));
      gtk_string_list_append (values, text);
      gtk_string_list_append (seconds, text);
    }
  for (guint i = 0; i < zh_policy_get_n_work_types (policy); i++)
    {
      const char *code = zh_policy_get_work_type_code (policy, i);
      const char *type_title = NULL;
      double weight = 1;
      g_autofree char *label = NULL;
      char number[G_ASCII_DTOSTR_BUF_SIZE];

      zh_policy_lookup_work_type (policy, code, &type_title, NULL, &weight);
      g_ascii_formatd (number, sizeof number, "%g", weight);
      /* Translators: a work type and its weight in the average: «Контрольная работа ×2» */
      label = g_strdup_printf (_("%s ×%s"), type_title, number);
      g_ptr_array_add (self->work_types, g_strdup (code));
      gtk_string_list_append (types, label);
    }
  gtk_drop_down_set_model (self->value_dropdown, G_LIST_MODEL (values));
  gtk_drop_down_set_model (self->second_dropdown, G_LIST_MODEL (seconds));
  gtk_drop_down_set_model (self->work_type_dropdown, G_LIST_MODEL (types));

  g_clear_pointer (&self->mark_id, g_free);
  gtk_label_set_label (self->title_label, title);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_check_button_set_active (self->double_check, FALSE);
  if (mark != NULL)
    {
      self->mark_id = g_strdup (mark->id);
      gtk_drop_down_set_selected (self->value_dropdown, find_code (self->values, mark->value));
      gtk_drop_down_set_selected (self->work_type_dropdown,
                                  find_code (self->work_types, mark->work_type));
      gtk_editable_set_text (GTK_EDITABLE (self->comment_entry), mark->comment);
    }
  else
    {
      gtk_drop_down_set_selected (self->value_dropdown, 0);
      gtk_drop_down_set_selected (self->work_type_dropdown, find_code (self->work_types, work_type));
      gtk_editable_set_text (GTK_EDITABLE (self->comment_entry), "");
    }
  /* A change keeps the mark one mark: a double mark is entered as a new one. */
  gtk_widget_set_visible (GTK_WIDGET (self->double_check), mark == NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->second_dropdown), mark == NULL);
}

static const char *
selected_code (GtkDropDown *dropdown,
               GPtrArray   *codes)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  return selected < codes->len ? codes->pdata[selected] : NULL;
}

/* zh_cell_popover_get_mark_id: (nullable): the mark being changed, or NULL for a new mark. */
const char *
zh_cell_popover_get_mark_id (ZhCellPopover *self)
{
  g_return_val_if_fail (ZH_IS_CELL_POPOVER (self), NULL);
  return self->mark_id;
}

/* zh_cell_popover_get_value: the code of the mark chosen (the first part of a double mark). */
const char *
zh_cell_popover_get_value (ZhCellPopover *self)
{
  g_return_val_if_fail (ZH_IS_CELL_POPOVER (self), NULL);
  return selected_code (self->value_dropdown, self->values);
}

/* zh_cell_popover_get_second_value: (nullable): the second part of a double mark, or NULL. */
const char *
zh_cell_popover_get_second_value (ZhCellPopover *self)
{
  g_return_val_if_fail (ZH_IS_CELL_POPOVER (self), NULL);
  if (self->mark_id != NULL || !gtk_check_button_get_active (self->double_check))
    return NULL;
  return selected_code (self->second_dropdown, self->values);
}

/* zh_cell_popover_get_work_type: the code of the form of control chosen. */
const char *
zh_cell_popover_get_work_type (ZhCellPopover *self)
{
  g_return_val_if_fail (ZH_IS_CELL_POPOVER (self), NULL);
  return selected_code (self->work_type_dropdown, self->work_types);
}

/* zh_cell_popover_get_comment: the comment typed ("" for none). */
const char *
zh_cell_popover_get_comment (ZhCellPopover *self)
{
  g_return_val_if_fail (ZH_IS_CELL_POPOVER (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->comment_entry));
}

/* zh_cell_popover_set_error: shows why the edit was refused, under the fields. */
void
zh_cell_popover_set_error (ZhCellPopover *self,
                           const char    *message)
{
  g_return_if_fail (ZH_IS_CELL_POPOVER (self));
  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* _zh_cell_popover_choose: for the UI tests: choose as a user would (NULL leaves a field). */
void
_zh_cell_popover_choose (ZhCellPopover *self,
                         const char    *value,
                         const char    *work_type,
                         const char    *second_value,
                         const char    *comment)
{
  if (value != NULL)
    gtk_drop_down_set_selected (self->value_dropdown, find_code (self->values, value));
  if (work_type != NULL)
    gtk_drop_down_set_selected (self->work_type_dropdown, find_code (self->work_types, work_type));
  gtk_check_button_set_active (self->double_check, second_value != NULL);
  if (second_value != NULL)
    gtk_drop_down_set_selected (self->second_dropdown, find_code (self->values, second_value));
  if (comment != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->comment_entry), comment);
}
