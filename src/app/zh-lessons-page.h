/* zh-lessons-page.h: ZhLessonsPage — the «Уроки» page of the journal window: the lessons of the
 * page shown with their topics, homework, kinds, substitutes and deadline statuses; topic and
 * homework edited in place, and lessons added for free dates of the timetable (issue 6 §5). */
#pragma once

#include <adwaita.h>

#include "zh-journal.h"
#include "zh-session.h"

G_BEGIN_DECLS

#define ZH_TYPE_LESSONS_PAGE (zh_lessons_page_get_type ())
G_DECLARE_FINAL_TYPE (ZhLessonsPage, zh_lessons_page, ZH, LESSONS_PAGE, GtkWidget)

void zh_lessons_page_set_session (ZhLessonsPage *self,
                                  ZhSession     *session);
void zh_lessons_page_set_page    (ZhLessonsPage *self,
                                  ZhJournalPage *page);

G_END_DECLS
