/* zh-window-private.h: ZhWindow's insides that the UI tests look at. */
#pragma once

#include "zh-grid.h"
#include "zh-history-panel.h"
#include "zh-journal.h"
#include "zh-lessons-page.h"
#include "zh-session.h"
#include "zh-window.h"

G_BEGIN_DECLS

void              _zh_window_tune_reader     (ZhStore               *store);
ZhGrid           *_zh_window_get_grid        (ZhWindow              *self);
ZhJournalPage    *_zh_window_get_page        (ZhWindow              *self);
GListModel       *_zh_window_get_pages       (ZhWindow              *self);
ZhLessonsPage    *_zh_window_get_lessons_page (ZhWindow             *self);
const char       *_zh_window_get_period_key  (ZhWindow              *self);
const char       *_zh_window_get_last_toast (ZhWindow              *self);
ZhSession        *_zh_window_get_session    (ZhWindow              *self);
const char       *_zh_window_get_main_page  (ZhWindow              *self);
const char       *_zh_window_get_sign_in_error (ZhWindow           *self);
const char       *_zh_window_get_status     (ZhWindow              *self);
void              _zh_window_set_search      (ZhWindow              *self,
                                              const char            *text);
/* The journal file, the reader, the history panel; the page read again; a toast. */
const char       *_zh_window_get_path        (ZhWindow              *self);
ZhJournalAccount *_zh_window_get_account     (ZhWindow              *self);
ZhHistoryPanel   *_zh_window_get_history_panel (ZhWindow            *self);
void              _zh_window_reload_page     (ZhWindow              *self);
void              _zh_window_show_toast      (ZhWindow              *self,
                                              const char            *message);
const char       *_zh_window_work_type_for_lesson (ZhLessonKind      kind);

/* zh-window-cells.c: the cell popover, the correction dialog, the conflicts list and the cell
 * history panel. */
void              _zh_window_cells_class_init (GtkWidgetClass       *widget_class);
void              _zh_window_cells_init      (ZhWindow              *self);
void              _zh_window_show_conflicts  (ZhWindow              *self);
GtkWidget        *_zh_window_get_cell_popover (ZhWindow             *self);
GtkWindow        *_zh_window_get_dialog      (ZhWindow              *self);

G_END_DECLS
