/* zh-lesson-item.h: one row of the journal window's lessons page — a lesson of a ZhJournalPage. */
#pragma once

#include <glib-object.h>

#include "zh-journal.h"

G_BEGIN_DECLS

#define ZH_TYPE_LESSON_ITEM (zh_lesson_item_get_type ())
G_DECLARE_FINAL_TYPE (ZhLessonItem, zh_lesson_item, ZH, LESSON_ITEM, GObject)

ZhLessonItem          *zh_lesson_item_new        (ZhJournalPage *page,
                                                  guint          index);
const ZhJournalLesson *zh_lesson_item_get_lesson (ZhLessonItem  *self);
ZhJournalPage         *zh_lesson_item_get_page   (ZhLessonItem  *self);
gboolean               zh_lesson_item_get_editing (ZhLessonItem *self);
void                   zh_lesson_item_set_editing (ZhLessonItem *self,
                                                   gboolean      editing);

G_END_DECLS
