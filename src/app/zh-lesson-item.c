/* zh-lesson-item.c: one row of the journal window's lessons page. */
#define G_LOG_DOMAIN "zhurnal"

#include "config.h"

#include "zh-lesson-item.h"

struct _ZhLessonItem
{
  GObject        parent_instance;

  ZhJournalPage *page;
  guint          index;
};

G_DEFINE_FINAL_TYPE (ZhLessonItem, zh_lesson_item, G_TYPE_OBJECT)

static void
zh_lesson_item_finalize (GObject *object)
{
  ZhLessonItem *self = ZH_LESSON_ITEM (object);

  g_clear_pointer (&self->page, zh_journal_page_unref);

  G_OBJECT_CLASS (zh_lesson_item_parent_class)->finalize (object);
}

static void
zh_lesson_item_class_init (ZhLessonItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = zh_lesson_item_finalize;
}

static void
zh_lesson_item_init (ZhLessonItem *self)
{
}

/* zh_lesson_item_new: (transfer full): the row of lesson @index of @page (a reference is taken). */
ZhLessonItem *
zh_lesson_item_new (ZhJournalPage *page,
                    guint          index)
{
  ZhLessonItem *self;

  g_return_val_if_fail (page != NULL && index < page->n_lessons, NULL);

  self = g_object_new (ZH_TYPE_LESSON_ITEM, NULL);
  self->page = zh_journal_page_ref (page);
  self->index = index;
  return self;
}

/* zh_lesson_item_get_lesson: the lesson of the row. */
const ZhJournalLesson *
zh_lesson_item_get_lesson (ZhLessonItem *self)
{
  g_return_val_if_fail (ZH_IS_LESSON_ITEM (self), NULL);

  return &self->page->lessons[self->index];
}

/* zh_lesson_item_get_page: (transfer none): the page the lesson belongs to. */
ZhJournalPage *
zh_lesson_item_get_page (ZhLessonItem *self)
{
  g_return_val_if_fail (ZH_IS_LESSON_ITEM (self), NULL);

  return self->page;
}
