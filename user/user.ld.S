/* user.ld.S: the link of every user program (build.mk runs it through the C
 * preprocessor into build/user.ld, so the addresses come from vm_layout.h).
 * Three PT_LOAD segments, each starting on a page of its own, so the loader
 * can give every page exactly one permission: text read/execute, rodata
 * read-only, data and bss read/write (no page is ever writable and
 * executable). */
#include "vm_layout.h"

ENTRY(_start)

PHDRS
{
	text PT_LOAD FLAGS(5);   /* PF_R | PF_X */
	rodata PT_LOAD FLAGS(4); /* PF_R */
	data PT_LOAD FLAGS(6);   /* PF_R | PF_W */
	stack PT_GNU_STACK FLAGS(6); /* the usual mark of a stack that need not execute */
}

SECTIONS
{
	/* the headers and the text share the first page, so the file is not
	 * padded to a page before the code */
	. = VM_USER_TEXT + SIZEOF_HEADERS;
	.text : {
		*(.text.start)
		*(.text .text.*)
	} :text

	/* each segment on pages of its own, at the same offset in its page as in
	 * the file: the file stays unpadded, the permissions stay apart */
	. = ALIGN(4096) + (. & 4095);
	.rodata : {
		*(.rodata .rodata.*)
	} :rodata

	. = ALIGN(4096) + (. & 4095);
	.data : {
		*(.data .data.*)
	} :data
	.bss : {
		*(.bss .bss.*)
		*(COMMON)
	} :data

	/DISCARD/ : {
		*(.note .note.*)
		*(.comment)
		*(.eh_frame .eh_frame_hdr)
	}
}
