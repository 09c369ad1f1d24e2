/* zh-window-private.h: ZhWindow's insides that the UI tests look at. */
#pragma once

#include "zh-grid.h"
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
G_END_DECLS
