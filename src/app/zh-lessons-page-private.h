/* zh-lessons-page-private.h: ZhLessonsPage's insides that the UI tests look at and drive. */
#pragma once

#include "zh-lessons-page.h"

G_BEGIN_DECLS

/* The page's columns, in order. */
typedef enum
{
  ZH_LESSONS_COLUMN_DATE,
  ZH_LESSONS_COLUMN_NUMBER,
  ZH_LESSONS_COLUMN_TOPIC,
  ZH_LESSONS_COLUMN_HOMEWORK,
  ZH_LESSONS_COLUMN_KIND,
  ZH_LESSONS_COLUMN_SUBSTITUTE,
  ZH_LESSONS_COLUMN_TOPIC_STATUS,
  ZH_LESSONS_COLUMN_HOMEWORK_STATUS,
  ZH_LESSONS_COLUMN_STATE,
} ZhLessonsColumn;

/* A date of the timetable with no lesson yet, offered by the add-lesson dialog. */
typedef struct
{
  char date[11];  /* YYYY-MM-DD */
  int  number;    /* the lesson's number in the day, from the timetable */
} ZhLessonsFreeSlot;

GListModel       *_zh_lessons_page_get_lessons      (ZhLessonsPage         *self);
char             *_zh_lessons_page_text             (const ZhJournalPage   *page,
                                                     const ZhJournalLesson *lesson,
                                                     ZhLessonsColumn        column,
                                                     gint64                 now);
ZhDeadlineStatus  _zh_lessons_page_status           (const ZhJournalPage   *page,
                                                     const ZhJournalLesson *lesson,
                                                     ZhRecordKind           kind,
                                                     gint64                 now);
const char       *_zh_lessons_page_status_class     (ZhDeadlineStatus       status);
void              _zh_lessons_page_edit             (ZhLessonsPage         *self,
                                                     guint                  position);
gboolean          _zh_lessons_page_is_editing       (ZhLessonsPage         *self);
gboolean          _zh_lessons_page_is_busy          (ZhLessonsPage         *self);
GtkEntry         *_zh_lessons_page_get_topic_entry  (ZhLessonsPage         *self);
GtkEntry         *_zh_lessons_page_get_homework_entry (ZhLessonsPage       *self);
GtkTreeModel     *_zh_lessons_page_get_completions  (ZhLessonsPage         *self);
const char       *_zh_lessons_page_get_state        (ZhLessonsPage         *self,
                                                     const char            *lesson_id);
char             *_zh_lessons_page_dup_state_tooltip (ZhLessonsPage        *self,
                                                      const char           *lesson_id);
const char       *_zh_lessons_page_get_last_toast   (ZhLessonsPage         *self);
AdwMessageDialog *_zh_lessons_page_get_dialog       (ZhLessonsPage         *self);
GPtrArray        *_zh_lessons_page_get_free_slots   (ZhLessonsPage         *self);
GtkDropDown      *_zh_lessons_page_get_date_dropdown (ZhLessonsPage        *self);

G_END_DECLS
