/* zh-lesson-item.c: one row of the journal window's lessons page. */
#define G_LOG_DOMAIN "zhurnal"

#include "config.h"

#include "zh-lesson-item.h"

struct _ZhLessonItem
{
  GObject        parent_instance;

  ZhJournalPage *page;
  guint          index;
  gboolean       editing;
};

G_DEFINE_FINAL_TYPE (ZhLessonItem, zh_lesson_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_EDITING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
zh_lesson_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ZhLessonItem *self = ZH_LESSON_ITEM (object);

  switch (prop_id)
    {
    case PROP_EDITING:
      g_value_set_boolean (value, self->editing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zh_lesson_item_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ZhLessonItem *self = ZH_LESSON_ITEM (object);

  switch (prop_id)
    {
    case PROP_EDITING:
      zh_lesson_item_set_editing (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

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
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = zh_lesson_item_finalize;
  object_class->get_property = zh_lesson_item_get_property;
  object_class->set_property = zh_lesson_item_set_property;

  /* ZhLessonItem:editing: the row's topic and homework are being edited in place. */
  properties[PROP_EDITING] =
    g_param_spec_boolean ("editing", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
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

/* zh_lesson_item_get_editing: whether the row is being edited. */
gboolean
zh_lesson_item_get_editing (ZhLessonItem *self)
{
  g_return_val_if_fail (ZH_IS_LESSON_ITEM (self), FALSE);

  return self->editing;
}

/* zh_lesson_item_set_editing: marks the row as being edited (its cells show the entries). */
void
zh_lesson_item_set_editing (ZhLessonItem *self,
                            gboolean      editing)
{
  g_return_if_fail (ZH_IS_LESSON_ITEM (self));

  editing = !!editing;
  if (self->editing == editing)
    return;
  self->editing = editing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EDITING]);
}
