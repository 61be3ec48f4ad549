#!/usr/bin/env bash
# test_fat_mtools.sh: kernel/fs/fat.c against mtools. For each case, mkfs.fat makes a
# volume (FAT12, FAT16, FAT32; 1 to 16 sectors a cluster; one inside a disk image at
# 1 MiB), a seeded Python generator makes a random tree of directories and files on
# the host (sizes 0, 1, a cluster and one byte either side, random, large; 8.3 names
# in upper and lower case, mixed case, long names with spaces and punctuation, UTF-8),
# mmd and mcopy put it on the volume, then a run of small files is copied, every
# other one deleted with mdel and large files copied into the holes (so they are
# fragmented). test/host/fat_dump.c (the reader, built here with ASan and UBSan) must
# then list what mtools' mdir lists, extract a tree equal byte for byte to the
# generator's (diff -r), give the CRC-32 of every file, and read what mtype reads.
# Then damaged volumes (BPB fields overwritten, FAT entries pointing out of range,
# back into the chain, to a free or bad cluster, or ending early; a directory's chain
# looping) must be refused with their messages. Scratch files go to $BUILD/tmp.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 1
. test/lib/tap.sh

BUILD=${BUILD:-$ROOT/build}
T=$BUILD/tmp/fat_mtools
DUMP=$T/fat_dump
export LC_ALL=C.UTF-8    # mtools turns long names into UCS-2 by the locale's charset
export MTOOLS_SKIP_CHECK=1 # images of any size, not only a floppy's geometry

# dump ARGS...: fat_dump, with a time limit
dump() {
	timeout 30 "$DUMP" "$@"
}

# the one TAP line for a setup failure, then stop
give_up() {
	tap_fail "$1" "$2"
	tap_done
	exit 1
}

rm -rf "$T"
mkdir -p "$T"
for tool in mkfs.fat mmd mcopy mdel mdir mtype python3 gcc; do
	command -v $tool >/dev/null || give_up "$tool is installed" "apt-get install mtools dosfstools python3 gcc"
done
if ! timeout 120 gcc -std=gnu11 -g -O1 -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-sanitize-recover=all -DLIB_HOST -Iinclude -Ilib test/host/fat_dump.c kernel/fs/fat.c \
	lib/string.c lib/format.c lib/crc32.c -o "$DUMP" >"$T/build.log" 2>&1; then
	sed 's/^/# /' "$T/build.log"
	give_up "fat_dump compiles" "see above"
fi

# generate DIR SEED CLUSTER_BYTES FILES DIRS BIG: a random tree under DIR/tree and, on
# stdout, the commands that put it on a volume, one a line, fields split by tabs:
#   D path              make a directory
#   F dir path...       copy files into dir ("." for the root)
#   X path...           delete files (from the volume and DIR/tree)
# paths relative to DIR/tree.
generate() {
	timeout 60 python3 - "$@" <<'EOF'
import os, random, sys

top, seed, cluster, files, dirs, big = sys.argv[1], *map(int, sys.argv[2:])
rng = random.Random(seed)
tree = os.path.join(top, "tree")
os.makedirs(tree)
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
# not [ ] * ?: mtools takes them for wildcards in a volume's paths
LONG = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-+,;=()!#$%&'@^{}."
WORDS = ["café", "über", "naïve", "€uro", "niño", "smörgås"]
taken = {"": {"frag"}}  # dir -> names in it, case folded

def pick(chars, lo, hi):
    return "".join(rng.choice(chars) for _ in range(rng.randint(lo, hi)))

def short(lower):
    name = pick(UPPER, 1, 8) + rng.choice(["", "." + pick(UPPER, 1, 3)])
    return name.lower() if lower else name

def name_for(d, longest=True):
    while True:
        kind = rng.randrange(8 if longest else 5)
        if kind == 0:
            n = short(False)
        elif kind == 1:
            n = short(True)
        elif kind == 2:
            n = pick(UPPER, 1, 8).lower() + "." + pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1, 3)
        elif kind == 3:
            n = pick(UPPER, 1, 4).capitalize() + pick(UPPER, 1, 4).lower() + ".Txt"
        elif kind == 4:
            n = rng.choice(WORDS) + " " + pick(LONG, 1, 12).strip(" .") + ".txt"
        elif kind == 5:
            n = pick(LONG, 100, 200)
        else:
            n = pick(LONG, 9, 60)
        n = n.strip(" .")
        if not n or n[0] == "-" or "~" in n or len(n.encode()) > 240:
            continue
        if n.casefold() not in taken.setdefault(d, set()):
            taken[d].add(n.casefold())
            return n

def size():
    return rng.choice([0, 1, cluster - 1, cluster, cluster + 1, 2 * cluster + 1,
                       rng.randint(2, 3 * cluster), rng.randint(0, 40000), rng.randint(0, 40000)])

def write(path, n):
    with open(os.path.join(tree, path), "wb") as f:
        f.write(rng.randbytes(n))

def emit(*fields):
    print("\t".join(fields))

alldirs = [""]
for _ in range(dirs):
    parent = rng.choice([d for d in alldirs if d.count("/") < 3])
    d = os.path.join(parent, name_for(parent, False))
    os.mkdir(os.path.join(tree, d))
    alldirs.append(d)
    emit("D", d)
placed = {d: [] for d in alldirs}
for i in range(files):
    d = rng.choice(alldirs)
    p = os.path.join(d, name_for(d))
    write(p, size() if i % 8 else rng.randint(100000, big))
    placed[d].append(p)
for d, ps in placed.items():
    if ps:
        emit("F", d or ".", *ps)
# fragmentation: small files, every other one deleted, large ones into the holes
os.mkdir(os.path.join(tree, "frag"))
emit("D", "frag")
small = []
for i in range(40):
    p = "frag/small%02d.bin" % i
    write(p, rng.randint(1, 3 * cluster))
    small.append(p)
emit("F", "frag", *small)
emit("X", *small[1::2])
large = []
for i in range(3):
    p = "frag/Large file %d.data" % i
    write(p, rng.randint(8 * cluster, 30 * cluster))
    large.append(p)
emit("F", "frag", *large)
EOF
}

# populate IMAGE_SPEC DIR: runs generate's commands from stdin with mtools
populate() {
	local img=$1 dir=$2 cmd target path
	local -a fields files
	while IFS=$'\t' read -r -a fields; do
		cmd=${fields[0]}
		case $cmd in
		D) timeout 20 mmd -i "$img" "::/${fields[1]}" </dev/null || return 1 ;;
		F)
			target=::/
			[ "${fields[1]}" = . ] || target=::/${fields[1]}/
			files=()
			for path in "${fields[@]:2}"; do files+=("$dir/tree/$path"); done
			timeout 60 mcopy -i "$img" "${files[@]}" "$target" </dev/null || return 1
			;;
		X)
			files=()
			for path in "${fields[@]:1}"; do files+=("::/$path"); done
			timeout 20 mdel -i "$img" "${files[@]}" </dev/null || return 1
			for path in "${fields[@]:1}"; do rm "$dir/tree/$path" || return 1; done
			;;
		esac
	done
}

# crc_of_tree DIR: "CRC32 SIZE /PATH" for every file under DIR, as fat_dump crc prints them
crc_of_tree() {
	timeout 60 python3 - "$1" <<'EOF'
import os, sys, zlib
top = sys.argv[1]
for d, _, names in os.walk(top):
    for n in names:
        p = os.path.join(d, n)
        data = open(p, "rb").read()
        print("%08x %d %s" % (zlib.crc32(data), len(data), p[len(top):]))
EOF
}

# one_case NAME FAT_TYPE SECTORS_PER_CLUSTER KIB SEED FILES DIRS BIG [OFFSET_BYTES]
one_case() {
	local name=$1 type=$2 spc=$3 kib=$4 seed=$5 files=$6 dirs=$7 big=$8 offset=${9:-0}
	local dir=$T/$name img=$T/$name/volume.img spec dump cb=$((spc * 512)) status roots= began=$SECONDS
	[ "$type" = 32 ] || roots="-r 512" # room for long names in a fixed root directory
	mkdir -p "$dir"
	spec=$img
	dump=$img
	if [ "$offset" -ne 0 ]; then
		head -c "$offset" /dev/urandom >"$img" # junk before the volume: never read
		truncate -s $((offset + kib * 1024)) "$img"
		timeout 60 mkfs.fat -F "$type" -s "$spc" $roots --offset $((offset / 512)) "$img" "$kib" >"$dir/mkfs.log" 2>&1
		status=$?
		spec="$img@@$offset"
		dump="$img@$offset"
	else
		timeout 60 mkfs.fat -C -F "$type" -s "$spc" $roots "$img" "$kib" >"$dir/mkfs.log" 2>&1
		status=$?
	fi
	if [ $status -ne 0 ]; then
		tap_fail "$name: mkfs.fat -F $type -s $spc" "$(tail -1 "$dir/mkfs.log")"
		return
	fi
	if ! generate "$dir" "$seed" "$cb" "$files" "$dirs" "$big" >"$dir/commands" 2>"$dir/generate.log" ||
		! populate "$spec" "$dir" <"$dir/commands" >"$dir/mtools.log" 2>&1; then
		tap_fail "$name: the tree is made" "$(tail -q -n 3 "$dir/generate.log" "$dir/mtools.log" | tr '\n' ' ')"
		return
	fi
	tap_check "$name: mounts as FAT$type with $cb-byte clusters" "$(dump "$dump" mount 2>&1)" \
		grep -q "^FAT$type, [0-9]* clusters of $cb bytes" <(dump "$dump" mount 2>&1)

	timeout 30 mdir -/ -b -i "$spec" :: 2>&1 | LC_ALL=C sort >"$dir/mdir.list"
	dump "$dump" list 2>"$dir/list.err" | LC_ALL=C sort >"$dir/fat.list"
	tap_check "$name: lists what mdir lists ($(wc -l <"$dir/mdir.list") paths)" \
		"$(diff "$dir/mdir.list" "$dir/fat.list" | head -5 | tr '\n' ' ') $(head -2 "$dir/list.err")" \
		cmp -s "$dir/mdir.list" "$dir/fat.list"

	mkdir -p "$dir/out"
	dump "$dump" extract "$dir/out" 2>"$dir/extract.err"
	status=$?
	tap_check "$name: every file read back byte for byte ($(find "$dir/tree" -type f | wc -l) files)" \
		"status $status, $(head -2 "$dir/extract.err") $(diff -r "$dir/tree" "$dir/out" 2>&1 | head -3 | tr '\n' ' ')" \
		diff -r -q "$dir/tree" "$dir/out"

	crc_of_tree "$dir/tree" | LC_ALL=C sort >"$dir/expected.crc"
	dump "$dump" crc 2>"$dir/crc.err" | LC_ALL=C sort >"$dir/fat.crc"
	tap_check "$name: CRC-32 and size of every file" \
		"$(diff "$dir/expected.crc" "$dir/fat.crc" | head -3 | tr '\n' ' ') $(head -2 "$dir/crc.err")" \
		cmp -s "$dir/expected.crc" "$dir/fat.crc"

	# mtype's view of the fragmented files and of the largest file elsewhere
	local ok=0 path largest
	largest=$(cd "$dir/tree" && find . -path ./frag -prune -o -type f -printf '%s %P\n' | sort -n | tail -1 | cut -d' ' -f2-)
	for path in "frag/Large file 0.data" "frag/Large file 2.data" "$largest"; do
		if ! cmp -s <(timeout 30 mtype -i "$spec" "::/$path") <(dump "$dump" cat "/$path"); then
			ok=1
			echo "# $name: /$path differs from mtype's"
		fi
	done
	tap_report $ok "$name: reads what mtype reads (fragmented and large files)"
	echo "# $name: $((SECONDS - began)) s"
}

start=$(date +%s)
#        name           FAT spc KiB    seed files dirs big
one_case fat12-s1 12 1 1440 1201 30 6 120000
one_case fat12-s4 12 4 6000 1204 40 6 400000
one_case fat16-s1 16 1 16384 1601 60 8 300000
one_case fat16-s2 16 2 12000 1602 40 5 300000
one_case fat16-s8 16 8 40000 1608 40 6 600000
one_case fat16-s16 16 16 80000 1616 30 4 900000
one_case fat32-s1 32 1 40000 3201 60 8 400000
one_case fat32-s2 32 2 80000 3202 30 4 400000
one_case fat16-at-1MiB 16 4 20000 1699 30 4 300000 1048576

# ---- damaged volumes ----

# num IMAGE OFFSET BYTES: the little-endian number of 1, 2 or 4 bytes there
num() {
	od -An -tu"$3" -j "$2" -N "$3" "$1" | tr -d ' '
}

# put32 IMAGE OFFSET VALUE: writes 4 little-endian bytes
put32() {
	local v=$3
	printf "$(printf '\\x%02x' $((v & 255)) $((v >> 8 & 255)) $((v >> 16 & 255)) $((v >> 24 & 255)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# fat_edit IMAGE CLUSTER [VALUE]: prints the first FAT's entry for CLUSTER, or writes
# VALUE into it in every FAT (the FAT type by the cluster count, as the spec says)
fat_edit() {
	local img=$1 cluster=$2 value=${3:-} reserved fats size total clusters bits at old n
	reserved=$(num "$img" 14 2)
	fats=$(num "$img" 16 1)
	size=$(num "$img" 22 2)
	[ "$size" -ne 0 ] || size=$(num "$img" 36 4)
	total=$(num "$img" 19 2)
	[ "$total" -ne 0 ] || total=$(num "$img" 32 4)
	clusters=$(((total - reserved - fats * size - ($(num "$img" 17 2) * 32 + 511) / 512) / $(num "$img" 13 1)))
	bits=32
	[ $clusters -lt 65525 ] && bits=16
	[ $clusters -lt 4085 ] && bits=12
	at=$((reserved * 512 + cluster * bits / 8))
	old=$(num "$img" $at 4)
	if [ -z "$value" ]; then
		case $bits in
		12) echo $(((cluster & 1) ? old >> 4 & 0xFFF : old & 0xFFF)) ;;
		16) echo $((old & 0xFFFF)) ;;
		32) echo $((old & 0x0FFFFFFF)) ;;
		esac
		return
	fi
	for ((n = 0; n < fats; n++, at += size * 512)); do
		old=$(num "$img" $at 4)
		case $bits in
		12) put32 "$img" $at $(((cluster & 1) ? (old & ~0xFFF0) | value << 4 : (old & ~0xFFF) | value)) ;;
		16) put32 "$img" $at $(((old & ~0xFFFF) | value)) ;;
		32) put32 "$img" $at $(((old & 0xF0000000) | value)) ;;
		esac
	done
}

# poke IMAGE OFFSET BYTES...: overwrites bytes (given in hex)
poke() {
	local img=$1 at=$2 hex=""
	shift 2
	for b in "$@"; do hex+="\\x$b"; done
	printf "$hex" | dd of="$img" bs=1 seek="$at" conv=notrunc status=none
}

# refused NAME EXPECTED CMD...: the command fails and its stderr says EXPECTED
refused() {
	local name=$1 expected=$2 out status
	shift 2
	out=$("$@" 2>&1 >/dev/null)
	status=$?
	if [ $status -ne 0 ] && grep -qF -- "$expected" <<<"$out"; then
		tap_ok "$name"
	else
		tap_fail "$name" "status $status, said \"$(head -1 <<<"$out")\", expected \"$expected\""
	fi
}

# damage_case TYPE KIB SPC: a small volume with /BIN/SH (5 clusters), /README.TXT, /DOCS/A.TXT
damage_case() {
	local type=$1 kib=$2 spc=$3 dir=$T/damage$1 img sh first second docs size
	mkdir -p "$dir"
	img=$dir/clean.img
	head -c $((5 * spc * 512)) /dev/urandom >"$dir/sh"
	echo "read me" >"$dir/README.TXT"
	echo "a" >"$dir/A.TXT"
	if ! timeout 60 mkfs.fat -C -F "$type" -s "$spc" "$img" "$kib" >/dev/null 2>&1 ||
		! timeout 20 mmd -i "$img" ::/BIN ::/DOCS ||
		! timeout 20 mcopy -i "$img" "$dir/sh" ::/BIN/SH ||
		! timeout 20 mcopy -i "$img" "$dir/README.TXT" :: ||
		! timeout 20 mcopy -i "$img" "$dir/A.TXT" ::/DOCS/; then
		tap_fail "FAT$type damage: the clean volume is made" "mkfs.fat or mtools failed"
		return
	fi
	tap_check "FAT$type damage: the clean volume reads" "$(dump "$img" crc 2>&1 | tail -1)" \
		grep -q " /DOCS/A.TXT$" <(dump "$img" crc)
	first=$(dump "$img" stat /BIN/SH | cut -d' ' -f2)
	second=$(fat_edit "$img" "$first")
	docs=$(dump "$img" stat /DOCS | cut -d' ' -f2)
	size=$(($(stat -c %s "$img") / 512))
	case $type in
	12) big=0xFF0 end=0xFFF bad=0xFF7 ;;
	16) big=0xFFF0 end=0xFFFF bad=0xFFF7 ;;
	32) big=0x0FFFFFF0 end=0x0FFFFFFF bad=0x0FFFFFF7 ;;
	esac

	# fresh NAME: a copy of the clean volume to damage
	fresh() {
		cp --sparse=always "$img" "$dir/$1.img"
		echo "$dir/$1.img"
	}
	local d
	d=$(fresh sector-size) && poke "$d" 11 2c 01
	refused "FAT$type damage: 300 bytes per sector" "bad BPB: 300 bytes per sector" dump "$d" list
	d=$(fresh cluster-size) && poke "$d" 13 03
	refused "FAT$type damage: 3 sectors per cluster" "bad BPB: 3 sectors per cluster" dump "$d" list
	d=$(fresh fats) && poke "$d" 16 00
	refused "FAT$type damage: no FATs" "bad BPB: 0 FATs" dump "$d" list
	d=$(fresh signature) && poke "$d" 510 00 00
	refused "FAT$type damage: no boot signature" "bad BPB: no boot signature" dump "$d" list
	d=$(fresh truncated) && truncate -s $((size / 2 * 512)) "$d"
	refused "FAT$type damage: device cut in half" \
		"bad BPB: volume of $size sectors larger than its device ($((size / 2)))" dump "$d" list
	d=$(fresh out-of-range) && fat_edit "$d" "$first" "$big"
	refused "FAT$type damage: a cluster out of range" \
		"cluster $((big)) out of range in the chain of /BIN/SH (after cluster $first)" dump "$d" cat /BIN/SH
	d=$(fresh loop) && fat_edit "$d" "$second" "$first"
	refused "FAT$type damage: a loop" "loop in the chain of /BIN/SH" dump "$d" cat /BIN/SH
	d=$(fresh short) && fat_edit "$d" "$second" "$end"
	refused "FAT$type damage: a chain shorter than the file" \
		"the chain of /BIN/SH ends after 2 clusters, its $((5 * spc * 512)) bytes need 5" dump "$d" cat /BIN/SH
	d=$(fresh free) && fat_edit "$d" "$second" 0
	refused "FAT$type damage: a free cluster" "free cluster $second in the chain of /BIN/SH" \
		dump "$d" cat /BIN/SH
	d=$(fresh bad) && fat_edit "$d" "$second" "$bad"
	refused "FAT$type damage: a bad cluster" "bad cluster $second in the chain of /BIN/SH" \
		dump "$d" cat /BIN/SH
	d=$(fresh dir-loop) && fat_edit "$d" "$docs" "$docs"
	refused "FAT$type damage: a directory's chain loops" "loop in the chain of /DOCS at cluster $docs" \
		dump "$d" list
	# the walk names the damage and still reads the rest
	tap_check "FAT$type damage: a walk reads what is not damaged" "$(dump "$d" crc 2>&1 | head -3)" \
		grep -q " /README.TXT$" <(dump "$d" crc 2>/dev/null)
}

began=$SECONDS
damage_case 12 1440 1
damage_case 16 8000 2
damage_case 32 40000 1
echo "# damaged volumes: $((SECONDS - began)) s"

# what mkfs.fat makes that the reader does not take
timeout 60 mkfs.fat -C -S 1024 "$T/big-sectors.img" 8000 >/dev/null 2>&1
refused "mkfs.fat -S 1024: refused" "bad BPB: 1024 bytes per sector" dump "$T/big-sectors.img" list
timeout 60 mkfs.fat -C -F 32 -s 1 "$T/small32.img" 33000 >/dev/null 2>&1
refused "mkfs.fat -F 32 with fewer than 65525 clusters: refused (the spec makes it FAT16)" \
	"too few for FAT32" dump "$T/small32.img" list

echo "# $(($(date +%s) - start)) s"
tap_done
