/* zh-page-item.c: one row of the journal window's sidebar. */
#define G_LOG_DOMAIN "zhurnal"

#include "config.h"

#include <string.h>

#include "zh-page-item.h"

struct _ZhPageItem
{
  GObject            parent_instance;

  ZhJournalPageInfo *info;      /* NULL for a class caption */
  char              *class_id;
  char              *title;     /* «Математика» under its class, «5А — Математика» alone; «5А» */
  char              *subtitle;  /* the teacher */
  char              *folded;    /* what a search matches: the whole label, case-folded */
};

G_DEFINE_FINAL_TYPE (ZhPageItem, zh_page_item, G_TYPE_OBJECT)

static void
zh_page_item_finalize (GObject *object)
{
  ZhPageItem *self = ZH_PAGE_ITEM (object);

  g_clear_pointer (&self->info, zh_journal_page_info_free);
  g_free (self->class_id);
  g_free (self->title);
  g_free (self->subtitle);
  g_free (self->folded);

  G_OBJECT_CLASS (zh_page_item_parent_class)->finalize (object);
}

static void
zh_page_item_class_init (ZhPageItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = zh_page_item_finalize;
}

static void
zh_page_item_init (ZhPageItem *self)
{
}

static ZhJournalPageInfo *
copy_info (const ZhJournalPageInfo *info)
{
  ZhJournalPageInfo *copy = g_new0 (ZhJournalPageInfo, 1);

  copy->group_id = g_strdup (info->group_id);
  copy->class_id = g_strdup (info->class_id);
  copy->class_name = g_strdup (info->class_name);
  copy->grade = info->grade;
  copy->subject_id = g_strdup (info->subject_id);
  copy->subject_name = g_strdup (info->subject_name);
  copy->subgroup = info->subgroup;
  copy->teacher_id = g_strdup (info->teacher_id);
  copy->teacher_name = g_strdup (info->teacher_name);
  copy->label = g_strdup (info->label);
  return copy;
}

/* zh_page_item_new_page: (transfer full): a row for the page @info; under its class's caption
 * when @grouped, so the title leaves out the class. */
ZhPageItem *
zh_page_item_new_page (const ZhJournalPageInfo *info,
                       gboolean                 grouped)
{
  ZhPageItem *self;
  g_autofree char *search = NULL;

  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (ZH_TYPE_PAGE_ITEM, NULL);
  self->info = copy_info (info);
  self->class_id = g_strdup (info->class_id);
  if (grouped)
    {
      const char *dash = strstr (info->label, " — ");

      self->title = g_strdup (dash != NULL ? dash + strlen (" — ") : info->label);
    }
  else
    self->title = g_strdup (info->label);
  self->subtitle = g_strdup (info->teacher_name);
  search = g_strdup_printf ("%s %s", info->label, info->teacher_name);
  self->folded = g_utf8_casefold (search, -1);
  return self;
}

/* zh_page_item_new_header: (transfer full): the caption of the class @class_name. */
ZhPageItem *
zh_page_item_new_header (const char *class_id,
                         const char *class_name)
{
  ZhPageItem *self;

  g_return_val_if_fail (class_id != NULL && class_name != NULL, NULL);

  self = g_object_new (ZH_TYPE_PAGE_ITEM, NULL);
  self->class_id = g_strdup (class_id);
  self->title = g_strdup (class_name);
  self->subtitle = g_strdup ("");
  self->folded = g_utf8_casefold (class_name, -1);
  return self;
}

/* zh_page_item_is_header: whether the row is a class caption rather than a page. */
gboolean
zh_page_item_is_header (ZhPageItem *self)
{
  g_return_val_if_fail (ZH_IS_PAGE_ITEM (self), FALSE);

  return self->info == NULL;
}

/* zh_page_item_get_info: the page, or NULL for a class caption. */
const ZhJournalPageInfo *
zh_page_item_get_info (ZhPageItem *self)
{
  g_return_val_if_fail (ZH_IS_PAGE_ITEM (self), NULL);

  return self->info;
}

/* zh_page_item_get_class_id: the class of the page or of the caption. */
const char *
zh_page_item_get_class_id (ZhPageItem *self)
{
  g_return_val_if_fail (ZH_IS_PAGE_ITEM (self), NULL);

  return self->class_id;
}

/* zh_page_item_get_title: the row's text. */
const char *
zh_page_item_get_title (ZhPageItem *self)
{
  g_return_val_if_fail (ZH_IS_PAGE_ITEM (self), NULL);

  return self->title;
}

/* zh_page_item_get_subtitle: the page's teacher, "" for a caption. */
const char *
zh_page_item_get_subtitle (ZhPageItem *self)
{
  g_return_val_if_fail (ZH_IS_PAGE_ITEM (self), NULL);

  return self->subtitle;
}

/* zh_page_item_matches: whether a search for @folded_query (case-folded) finds the row: in its
 * class, subject or teacher. */
gboolean
zh_page_item_matches (ZhPageItem *self,
                      const char *folded_query)
{
  g_return_val_if_fail (ZH_IS_PAGE_ITEM (self), FALSE);

  return folded_query == NULL || folded_query[0] == '\0' || strstr (self->folded,
                                                                    folded_query) != NULL;
}
