/* zh-server-store.h: what the service adds to a ZhStore — the rev counter, the changes feed,
 * the school a row belongs to, accounts, and the preparation of the demo school.
 *
 * The rev counter: one counter for the whole service, kept in the meta table under "last_rev"
 * (the last rev given). It is read and advanced only inside a write transaction (zh_store_lock,
 * BEGIN IMMEDIATE), and the service has a single writer, so revs are given and committed in
 * increasing order: a reader of the changes feed never sees rev N+1 before rev N.
 */
#pragma once

#include "zh-model.h"
#include "zh-store.h"

G_BEGIN_DECLS

/* The Argon2id cost of the service's password hashes (libsodium's "interactive" limits). */
char       *zh_server_hash_password        (const char          *password,
                                            GError             **error);
gboolean    zh_server_verify_password      (const char          *hash,
                                            const char          *password);

const char *zh_server_school_expression    (const ZhEntityInfo  *info);

gboolean    zh_server_store_take_revs      (ZhStore             *store,
                                            gint64               count,
                                            gint64              *first_rev,
                                            GError             **error);
gint64      zh_server_store_get_last_rev   (ZhStore             *store);
gboolean    zh_server_store_record_change  (ZhStore             *store,
                                            const ZhEntityInfo  *info,
                                            const char          *id,
                                            const char          *school_id,
                                            gboolean             deleted,
                                            gint64              *rev,
                                            GError             **error);
gboolean    zh_server_store_set_password   (ZhStore             *store,
                                            const char          *staff_id,
                                            const char          *password,
                                            GError             **error);

gboolean    zh_server_prepare_demo         (ZhStore             *store,
                                            GError             **error);
char       *zh_server_describe_demo_accounts (ZhStore           *store);

G_END_DECLS
