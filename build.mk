# build.mk: VlsOs's compile graph. ./build.sh runs it (make -f build.mk), after
# installing what is missing, and passes BUILD and the flag sets; it is not an
# entry point of its own. Every object records the headers it included (-MMD,
# the .d files beside it; -MP keeps a deleted header from stopping the build),
# and every flag set and source list is a file that changes only when its
# contents do, so a rebuild with nothing changed runs no command, and a change
# rebuilds what depends on it and nothing else.
#
# Sources are found by folder, as before: a new file needs no edit here.
#   build/host/TOOL            tools/TOOL/*.c + lib/*.c for the host (+ HOST_KERNEL_C_TOOL)
#   build/gen/                 layout.inc, layout.h, layout.ld, test_files.h (mkimage
#                              gen), boot_info.inc, bios_call.inc (geninc)
#   build/stage2.bin, stage1_*.bin, stage2.elf   the loader
#   build/VARIANT.elf, .bin    the kernels; objects in build/obj/VARIANT/
#   build/disk.img, floppy.img (mkimage build)

ifndef BUILD
$(error build.mk is run by ./build.sh, which sets BUILD and the flags)
endif

MAKEFLAGS += --no-builtin-rules --no-builtin-variables
.SUFFIXES:
.DELETE_ON_ERROR:
SHELL := bash

B := $(BUILD)
GEN := $(B)/gen
OBJ := $(B)/obj
LAYOUT := disk.img.layout
MKIMAGE := $(B)/host/mkimage

# V=1 prints every command; otherwise one line a step: what it makes and for whom.
ifeq ($(V),1)
say :=
else
say = @printf '  %-8s %-13s %s\n' '$1' '$2' '$3';
endif

all: $(B)/stage2.elf $(B)/kvm_probe.bin \
	$(foreach v,$(KERNEL_VARIANTS),$(B)/$(v).bin)
.PHONY: all FORCE
FORCE:

# ---------------------------------------------------------------------------
# Recorded inputs: $(OBJ)/NAME.flags holds a flag set or a file list and is
# rewritten only when that changes (so VLSOS_MEMDEBUG=1, a flag edited in
# build.sh, or a source file deleted rebuilds what it must). The recipe runs
# every time but leaves the file's time alone when nothing changed, and make
# compares times after it.
# ---------------------------------------------------------------------------
$(OBJ)/%.flags: FORCE
	@mkdir -p $(@D); printf '%s\n' '$(RECORD_$*)' | cmp -s - $@ || printf '%s\n' '$(RECORD_$*)' >$@

# ---------------------------------------------------------------------------
# Host tools: one per folder of tools/ that holds C files.
# ---------------------------------------------------------------------------
LIB_C := $(sort $(wildcard lib/*.c))
HOST_TOOLS := $(sort $(patsubst tools/%/,%,$(dir $(wildcard tools/*/*.c))))
RECORD_host := $(HOST_CFLAGS)

$(OBJ)/host/%.o: %.c $(OBJ)/host.flags
	$(call say,HOSTCC,host,$<)mkdir -p $(@D) && gcc $(HOST_CFLAGS) -Iinclude -Ilib -MMD -MP -c $< -o $@

# kernel sources a tool links too: mkimage reads what mkswap made with the kernel's parser;
# pagesim replays traces through the kernel's own clock
HOST_KERNEL_C_mkimage := kernel/vm/swap_header.c
HOST_KERNEL_C_pagesim := kernel/vm/page_clock.c

define host_tool
RECORD_host-$1 := $(sort $(wildcard tools/$1/*.c)) $(HOST_KERNEL_C_$1) $(LIB_C)
$(B)/host/$1: $$(patsubst %.c,$(OBJ)/host/%.o,$$(RECORD_host-$1)) $(OBJ)/host-$1.flags
	$$(call say,HOSTLD,host,$$@)mkdir -p $$(@D) && gcc $(HOST_CFLAGS) $$(filter %.o,$$^) -o $$@
endef
$(foreach t,$(HOST_TOOLS),$(eval $(call host_tool,$(t))))
# every tool, those the build itself does not run too (elfbad: test_elfbad.sh)
all: $(foreach t,$(HOST_TOOLS),$(B)/host/$(t))

# ---------------------------------------------------------------------------
# Generated files. mkimage gen leaves a file whose contents did not change
# alone (its time too), so an edit to a comment of the layout rebuilds
# nothing; the stamp records that gen ran.
# ---------------------------------------------------------------------------
GEN_LAYOUT := $(GEN)/layout.inc $(GEN)/layout.h $(GEN)/layout.ld $(GEN)/test_files.h
$(GEN)/layout.stamp: $(LAYOUT) $(MKIMAGE)
	$(call say,GEN,layout,$(LAYOUT))$(MKIMAGE) gen $(LAYOUT) $(GEN) && touch $@
$(GEN_LAYOUT): $(GEN)/layout.stamp ;

$(GEN)/boot_info.inc: $(B)/host/geninc
	$(call say,GEN,boot_info,$@)mkdir -p $(@D) && $< >$@.tmp && mv $@.tmp $@

$(GEN)/bios_call.inc: $(B)/host/geninc
	$(call say,GEN,bios_call,$@)mkdir -p $(@D) && $< bios_call >$@.tmp && mv $@.tmp $@

# docs/memory-map.svg's source: the layout's memory plan as a picture, which a
# test compares with the committed copy
all: $(B)/memory-map.svg
$(B)/memory-map.svg: $(LAYOUT) $(MKIMAGE)
	$(call say,SVG,memory-map,$@)$(MKIMAGE) svg $(LAYOUT) $@ && touch $@

# Everything that includes a generated file finds it through its .d file once
# built; the first build needs them before anything is compiled.
GENERATED := $(GEN_LAYOUT) $(GEN)/boot_info.inc $(GEN)/bios_call.inc

# ---------------------------------------------------------------------------
# The loader. Stage 2 first: stage 1 is assembled with the sectors stage 2
# occupies (STAGE2_LOAD_SECTORS; stage1_common.inc checks it against the area
# disk.img.layout reserves and EDD's 127-sector limit; stage 1 checks stage 2's
# header carries the same). Every sector read costs boot time: SeaBIOS reads one
# sector a request.
# ---------------------------------------------------------------------------
NASM_BOOT := nasm -w+all -I$(GEN)/ -Iboot/
STAGE1_BINS := $(patsubst boot/%.asm,$(B)/%.bin,$(filter-out boot/stage2.asm,$(wildcard boot/*.asm)))

# NASM 2.16.01 (Debian 12) leaves included files out of its -MD output
# (fixed in 2.16.02), so the loader names its includes itself.
BOOT_INCLUDES := $(wildcard boot/*.inc) $(GENERATED)

$(B)/stage2.bin: boot/stage2.asm $(BOOT_INCLUDES)
	$(call say,NASM,loader,$<)mkdir -p $(OBJ)/boot && \
		$(NASM_BOOT) -f bin -MD $(OBJ)/boot/stage2.bin.d -MP $< -o $@

$(STAGE1_BINS): $(B)/%.bin: boot/%.asm $(B)/stage2.bin $(BOOT_INCLUDES)
	$(call say,NASM,loader,$<)mkdir -p $(OBJ)/boot && \
		sector=$$(awk '$$1 == "%define" && $$2 == "SECTOR_SIZE" { print $$3 }' $(GEN)/layout.inc) && \
		sectors=$$((($$(stat -c %s $(B)/stage2.bin) + sector - 1) / sector)) && \
		$(NASM_BOOT) -f bin -DSTAGE2_LOAD_SECTORS=$$sectors -MD $(OBJ)/boot/$*.bin.d -MP $< -o $@

# Stage 2 again as ELF with symbols, for `./build.sh debug loader`; its code
# must be the very bytes of stage2.bin, or GDB's symbols would lie.
$(OBJ)/stage2.o: boot/stage2.asm $(BOOT_INCLUDES)
	$(call say,NASM,loader-elf,$<)mkdir -p $(OBJ)/boot && \
		$(NASM_BOOT) -f elf32 -g -F dwarf -DELF_SYMBOLS -MD $(OBJ)/boot/stage2.o.d -MP $< -o $@

$(B)/stage2.elf: $(OBJ)/stage2.o boot/stage2.ld $(GEN)/layout.ld $(B)/stage2.bin
	$(call say,LD,loader-elf,$@)ld.lld -m elf_i386 -T boot/stage2.ld -L $(GEN) $< -o $@ && \
		llvm-objcopy -O binary $@ $(OBJ)/stage2.elf.bin && \
		{ cmp -s $(OBJ)/stage2.elf.bin $(B)/stage2.bin || \
		{ echo "build.mk: stage2.elf and stage2.bin differ: GDB's symbols would not match the code" >&2; \
		  rm -f $@; exit 1; }; }

$(B)/kvm_probe.bin: tools/kvm_probe.asm
	$(call say,NASM,host,$<)mkdir -p $(OBJ) && nasm -f bin -MD $(OBJ)/kvm_probe.bin.d -MP $< -o $@

# ---------------------------------------------------------------------------
# The kernels, one source tree; build.sh names the variants and their flags
# (CFLAGS_VARIANT). kernel/tests/ and bench/kernel/ go into every variant but
# the production kernel. An object is build/obj/VARIANT/PATH_WITH_UNDERSCORES.o.
# ---------------------------------------------------------------------------
SRC_kernel := $(sort $(shell find kernel lib -name '*.c' -not -path 'kernel/tests/*'))
SRC_ALL := $(sort $(shell find kernel lib -name '*.c') $(wildcard bench/kernel/*.c))
KERNEL_ASM := $(sort $(shell find kernel -name '*.asm'))
variant_src = $(if $(filter kernel,$1),$(SRC_kernel),$(SRC_ALL))
obj_of = $(OBJ)/$1/$(subst /,_,$2).o

LINK := ld.lld -m elf_i386 -nostdlib --gc-sections -T kernel/linker.ld -L $(GEN)

# c_object VARIANT SRC
define c_object
$(call obj_of,$1,$2): $2 $(OBJ)/$1.flags | $(GENERATED)
	$$(call say,CC,$1,$2)mkdir -p $$(@D) && clang $(TARGET_CFLAGS) $(CFLAGS_$1) -Iinclude -Ilib -I$(GEN) \
		-MMD -MP -c $2 -o $$@
endef

# asm_object VARIANT SRC
define asm_object
$(call obj_of,$1,$2): $2 $(GENERATED)
	$$(call say,NASM,$1,$2)mkdir -p $$(@D) && nasm -w+all -f elf32 -g -F dwarf -I$(GEN)/ \
		-MD $$(basename $$@).d -MP $2 -o $$@
endef

# ksyms_object OBJDIR LISTING: OBJDIR/ksyms.o, section .ksyms holding the symbol
# table tools/ksyms.py makes from the nm listing (an empty listing: an empty table).
ksyms_object = python3 tools/ksyms.py $2 $1/ksyms.bin && \
	printf 'section .ksyms progbits alloc noexec nowrite align=4\nglobal ksym_table\nksym_table: incbin "%s"\n' \
		$1/ksyms.bin >$1/ksyms.asm && \
	nasm -w+all -f elf32 $1/ksyms.asm -o $1/ksyms.o

# function_symbols ELF: "address name" of every .text symbol, in address order.
function_symbols = llvm-nm -n --defined-only $1 | awk '$$2 == "t" || $$2 == "T" { print $$1, $$3 }'

# kernel VARIANT. The ELF is linked twice: the first link has an empty symbol
# table and gives the addresses; the table sits after .text (kernel/linker.ld),
# so the second link must put every function at the same address, which is
# checked rather than trusted. --gc-sections leaves out what nothing reaches
# from kernel_entry (KEEP in linker.ld), a smaller KERNEL.BIN to load;
# -ffunction-sections lets it see each function. The flat image is sealed.
define kernel
RECORD_$1 := $(TARGET_CFLAGS) $(CFLAGS_$1)
RECORD_$1-objects := $(foreach s,$(call variant_src,$1) $(KERNEL_ASM),$(call obj_of,$1,$(s)))
$(foreach s,$(call variant_src,$1),$(eval $(call c_object,$1,$(s))))
$(foreach s,$(KERNEL_ASM),$(eval $(call asm_object,$1,$(s))))

$(B)/$1.elf: $$(RECORD_$1-objects) $(OBJ)/$1-objects.flags kernel/linker.ld $(GEN)/layout.ld tools/ksyms.py
	$$(call say,LD,$1,$$@)set -e; \
	$$(call ksyms_object,$(OBJ)/$1,/dev/null); \
	$(LINK) $$(RECORD_$1-objects) $(OBJ)/$1/ksyms.o -o $(OBJ)/$1/pass1.elf; \
	llvm-nm -n --defined-only $(OBJ)/$1/pass1.elf >$(OBJ)/$1/pass1.nm; \
	$$(call ksyms_object,$(OBJ)/$1,$(OBJ)/$1/pass1.nm); \
	$(LINK) $$(RECORD_$1-objects) $(OBJ)/$1/ksyms.o -o $$@; \
	cmp -s <($$(call function_symbols,$(OBJ)/$1/pass1.elf)) <($$(call function_symbols,$$@)) || \
		{ echo "build.mk: $1: functions moved between the first link and the one with the symbol" \
			"table (diff <(llvm-nm -n $(OBJ)/$1/pass1.elf) <(llvm-nm -n $$@))" >&2; exit 1; }

$(B)/$1.bin: $(B)/$1.elf $(MKIMAGE) $(LAYOUT)
	$$(call say,SEAL,$1,$$@)llvm-objcopy -O binary $$< $$@ && $(MKIMAGE) seal $(LAYOUT) $$@
endef
$(foreach v,$(KERNEL_VARIANTS),$(eval $(call kernel,$(v))))

# ---------------------------------------------------------------------------
# User programs: each user/bin/NAME.c is one program, linked with the user
# library (user/lib/*.c and *.asm, and lib/*.c built for ring 3) by
# build/user.ld (user/user.ld.S through the preprocessor, for vm_layout.h's
# addresses). build/user/NAME.elf keeps the symbols for GDB; build/user-NAME,
# stripped, is what disk.img.layout puts in /BIN (its src= is a plain file
# name in build/, no folder). --gc-sections (with
# -ffunction-sections) leaves out the library functions a program never calls.
# Objects: build/obj/user/PATH_WITH_UNDERSCORES.o.
# ---------------------------------------------------------------------------
USER_PROGS := $(sort $(patsubst user/bin/%.c,%,$(wildcard user/bin/*.c)))
USER_LIB_C := $(sort $(wildcard user/lib/*.c)) $(LIB_C)
USER_LIB_ASM := $(sort $(wildcard user/lib/*.asm))
user_obj = $(OBJ)/user/$(subst /,_,$1).o
USER_LIB_OBJS := $(foreach s,$(USER_LIB_ASM) $(USER_LIB_C),$(call user_obj,$(s)))
USER_BINS := $(foreach p,$(USER_PROGS),$(B)/user-$(p))
USER_ELFS := $(foreach p,$(USER_PROGS),$(B)/user/$(p).elf)
RECORD_user := $(USER_CFLAGS)
RECORD_user-objects := $(USER_LIB_OBJS)
all: $(USER_BINS)

define user_c_object
$(call user_obj,$1): $1 $(OBJ)/user.flags | $(GENERATED)
	$$(call say,CC,user,$1)mkdir -p $$(@D) && clang $(USER_CFLAGS) -Iinclude -Ilib -Iuser/lib -I$(GEN) \
		-MMD -MP -c $1 -o $$@
endef
$(foreach s,$(USER_LIB_C) $(patsubst %,user/bin/%.c,$(USER_PROGS)),$(eval $(call user_c_object,$(s))))

define user_asm_object
$(call user_obj,$1): $1
	$$(call say,NASM,user,$1)mkdir -p $$(@D) && nasm -w+all -f elf32 -g -F dwarf -MD $$(basename $$@).d -MP $1 -o $$@
endef
$(foreach s,$(USER_LIB_ASM),$(eval $(call user_asm_object,$(s))))

$(B)/user.ld: user/user.ld.S
	$(call say,CPP,user,$<)mkdir -p $(OBJ)/user && clang -E -P -x c -Iinclude -MMD -MP \
		-MF $(OBJ)/user/user.ld.d -MT $@ $< -o $@

$(USER_ELFS): $(B)/user/%.elf: $(OBJ)/user/user_bin_%.c.o $(USER_LIB_OBJS) $(OBJ)/user-objects.flags $(B)/user.ld
	$(call say,LD,user,$@)mkdir -p $(@D) && ld.lld -m elf_i386 -static -nostdlib --gc-sections \
		-T $(B)/user.ld $< $(USER_LIB_OBJS) -o $@

$(USER_BINS): $(B)/user-%: $(B)/user/%.elf
	$(call say,STRIP,user,$@)llvm-strip --strip-all $< -o $@

# Shell scripts for the volume: user/scripts/NAME is copied to
# build/script-NAME, for a src= in disk.img.layout.
USER_SCRIPTS := $(patsubst user/scripts/%,$(B)/script-%,$(sort $(wildcard user/scripts/*)))
$(USER_SCRIPTS): $(B)/script-%: user/scripts/%
	$(call say,CP,user,$@)cp $< $@

# ---------------------------------------------------------------------------
# The images: every area's and file's src from disk.img.layout, in build/.
# floppy.img only when there is a FAT stage 1 to boot it.
# ---------------------------------------------------------------------------
DISKS := hdd $(if $(filter $(B)/stage1_fat.bin,$(STAGE1_BINS)),fdd)
IMAGES := $(B)/disk.img $(if $(filter fdd,$(DISKS)),$(B)/floppy.img)
all: $(IMAGES)

$(B)/boot.cfg: boot/boot.cfg
	$(call say,CP,image,$<)cp $< $@

# Damaged copies of a good program (tools/elfbad), for the loader's refusals:
# /TEST/ELF on both images.
ELFBAD_NAMES := NOTELF TRUNC MACHINE KERNEL OVERLAP BIG DYNAMIC ENTRY
# (mkimage's src= names a file in build/ itself: build/elfbad-NAME.ELF)
ELFBAD := $(foreach n,$(ELFBAD_NAMES),$(B)/elfbad-$(n).ELF)
$(ELFBAD) &: $(B)/user-hello $(B)/host/elfbad
	$(call say,ELFBAD,image,$(B)/elfbad-*.ELF)mkdir -p $(B)/elfbad && \
		$(B)/host/elfbad $(B)/user-hello $(B)/elfbad && \
		for n in $(ELFBAD_NAMES); do cp $(B)/elfbad/$$n.ELF $(B)/elfbad-$$n.ELF; done

# KERNEL.BIN as shipped: the production kernel packed (mkimage pack; the format
# is in include/kernel_header.h), which stage 2 unpacks: a third fewer sectors
# to read at boot. The test images put the other variants in unpacked.
$(B)/kernel.pack: $(B)/kernel.bin $(MKIMAGE) $(LAYOUT)
	$(call say,PACK,kernel,$@)$(MKIMAGE) pack $(LAYOUT) $< $@

$(IMAGES) &: $(STAGE1_BINS) $(B)/stage2.bin $(B)/kernel.pack $(B)/boot.cfg $(USER_BINS) $(USER_SCRIPTS) $(ELFBAD) $(LAYOUT) $(MKIMAGE)
	$(call say,MKIMAGE,image,$(notdir $(IMAGES)))$(MKIMAGE) build $(LAYOUT) $(B) $(DISKS) >/dev/null

# The recorded inputs are made by a pattern rule only, which would make them
# intermediate files for make, deleted after the build; they must stay.
.SECONDARY: $(OBJ)/host.flags $(OBJ)/user.flags $(OBJ)/user-objects.flags $(foreach t,$(HOST_TOOLS),$(OBJ)/host-$(t).flags) \
	$(foreach v,$(KERNEL_VARIANTS),$(OBJ)/$(v).flags $(OBJ)/$(v)-objects.flags)

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
