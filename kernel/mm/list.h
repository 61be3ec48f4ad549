/* list.h: layer: frames (inline helpers for every layer). A circular,
 * intrusive doubly-linked list. A head is a node that belongs to no element;
 * an empty list's head points at itself. */
#ifndef VLSOS_MM_LIST_H
#define VLSOS_MM_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_node {
	struct list_node *next;
	struct list_node *prev;
};

/* the element that holds `node` as its field `member` */
#define list_entry(node, type, member) ((type *)(((char *)(node)) - offsetof(type, member)))

static inline void list_init(struct list_node *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool list_is_empty(const struct list_node *head)
{
	return head->next == head;
}

static inline void __list_insert(struct list_node *node, struct list_node *prev, struct list_node *next)
{
	node->prev = prev;
	node->next = next;
	prev->next = node;
	next->prev = node;
}

/* at the front: list_first gives it back next */
static inline void list_push(struct list_node *head, struct list_node *node)
{
	__list_insert(node, head, head->next);
}

static inline void list_push_tail(struct list_node *head, struct list_node *node)
{
	__list_insert(node, head->prev, head);
}

/* Unlinks node; it then points at itself, so a second list_del is harmless. */
static inline void list_del(struct list_node *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node->next = node;
	node->prev = node;
}

/* NULL when the list is empty */
static inline struct list_node *list_first(const struct list_node *head)
{
	return head->next == head ? NULL : head->next;
}

static inline void list_move(struct list_node *head, struct list_node *node)
{
	list_del(node);
	list_push(head, node);
}

#define list_for_each(pos, head) for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

#endif
