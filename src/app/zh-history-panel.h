/* zh-history-panel.h: ZhHistoryPanel — the side panel with the history of the focused cell: the
 * marks and absences entered, the corrections with their reason and document, the changes the
 * service logged, each with its author and time on the school's clock (001 §6.3, 002 §7). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ZH_TYPE_HISTORY_PANEL (zh_history_panel_get_type ())
G_DECLARE_FINAL_TYPE (ZhHistoryPanel, zh_history_panel, ZH, HISTORY_PANEL, GtkBox)

GtkWidget *zh_history_panel_new       (void);
void       zh_history_panel_show_cell (ZhHistoryPanel *self,
                                       const char     *path,
                                       const char     *student_id,
                                       const char     *lesson_id,
                                       const char     *heading);
gboolean   zh_history_panel_is_showing (ZhHistoryPanel *self,
                                        const char     *student_id,
                                        const char     *lesson_id);

/* For the UI tests: the lines shown, one entry a line; whether a read is under way. */
char      *_zh_history_panel_dup_text (ZhHistoryPanel *self);
gboolean   _zh_history_panel_get_busy (ZhHistoryPanel *self);

G_END_DECLS
