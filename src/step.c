/*
 * The step and its states: the data the planner makes, the executor runs, the
 * journal and the saved plan record and the report prints; apart from the planner
 * because all of them use it and none needs the planner for it.
 */
#include <stdlib.h>
#include <string.h>

#include "rdls/util.h"
#include "resource.h"

/* ------------------------------------------------------------------ states */

void rdls_state_release(struct rdls_state *s)
{
	if (!s)
		return;
	free(s->data);
	free(s->user);
	if (s->check) {
		rdls_secure_zero(s->check, strlen(s->check));
		free(s->check);
	}
	memset(s, 0, sizeof(*s));
}

int rdls_state_copy(struct rdls_state *dst, const struct rdls_state *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->present = src->present;
	dst->type = src->type;
	dst->ours = src->ours;
	dst->len = src->len;
	if (src->data) {
		dst->data = malloc(src->len ? src->len : 1);
		if (!dst->data)
			goto oom;
		if (src->len)
			memcpy(dst->data, src->data, src->len);
	}
	if (src->user && !(dst->user = rdls_strdup(src->user)))
		goto oom;
	return 0; /* check is deliberately not copied: it stays where it was observed */
oom:
	rdls_state_release(dst);
	return -1;
}

bool rdls_state_equal(const struct rdls_state *a, const struct rdls_state *b)
{
	if (a->present != b->present)
		return false;
	if (!a->present)
		return true;
	if (a->type != b->type || a->len != b->len || a->ours != b->ours)
		return false;
	if (a->len && memcmp(a->data, b->data, a->len) != 0)
		return false;
	if (!a->user != !b->user)
		return false;
	return !a->user || strcmp(a->user, b->user) == 0;
}

int rdls_state_from_regval(struct rdls_state *dst, const rdls_regval *v)
{
	memset(dst, 0, sizeof(*dst));
	if (!v->present)
		return 0;
	dst->present = true;
	dst->type = v->type;
	dst->len = v->len;
	dst->data = malloc(v->len ? v->len : 1);
	if (!dst->data) {
		memset(dst, 0, sizeof(*dst));
		return -1;
	}
	if (v->len)
		memcpy(dst->data, v->data, v->len);
	return 0;
}

void rdls_state_as_regval(const struct rdls_state *s, rdls_regval *view)
{
	view->present = s->present;
	view->type = s->type;
	view->data = s->data;
	view->len = s->len;
}

/* ------------------------------------------------------------------- steps */

void rdls_step_release(struct rdls_step *s)
{
	if (!s)
		return;
	free(s->key);
	free(s->name);
	rdls_state_release(&s->want);
	rdls_state_release(&s->prior);
	memset(s, 0, sizeof(*s));
}

const char *rdls_step_kind(const struct rdls_step *s)
{
	return s->ops->kind;
}

void rdls_step_object(const struct rdls_step *s, struct rdls_buf *b)
{
	s->ops->describe(s, RDLS_DESC_OBJECT, NULL, b);
}

void rdls_step_state(const struct rdls_step *s, const struct rdls_state *st, struct rdls_buf *b)
{
	s->ops->describe(s, RDLS_DESC_STATE, st, b);
}

void rdls_step_doing(const struct rdls_step *s, bool undo, struct rdls_buf *b)
{
	s->ops->describe(s, undo ? RDLS_DESC_UNDO : RDLS_DESC_CHANGE, NULL, b);
}

const char *rdls_action_name(enum rdls_action a)
{
	switch (a) {
	case RDLS_ACT_CREATE: return "create";
	case RDLS_ACT_CHANGE: return "change";
	case RDLS_ACT_REMOVE: return "remove";
	default: return "none";
	}
}

size_t rdls_plan_changes(const struct rdls_plan *p)
{
	return p->n_create + p->n_change + p->n_remove;
}
