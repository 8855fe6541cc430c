// archivegen: grows a spindle store's run archive to N archived runs, for measuring start-up
// with a big archive (bench/archive.py), without running N runs through the server.
//
//	go run bench/archivegen.go -store DATA/store -runs 1000000
//
// The store must hold a snapshot and some archived runs (from a real server). Each new index
// entry copies a real one's summary under a new run id (same length) and points at the same
// record; the newest snapshot's archive mark is raised to cover them all, so start-up trusts
// them as it would a real archive (it reads no records below the mark). Reading such a run
// back gives DATA_LOSS (its record holds another run): only start-up is measured.
//
// Formats (Sources/Storage): frames [u32 length][u32 CRC-32C(type + payload)][u8 type][payload];
// index entry type 1: [u32 file][u32 offset][u32 frame bytes][summary]; summary: format byte 1,
// then the run id as varint length + bytes, ... (Sources/Engine/Runs/RunArchive.swift).
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"hash/crc32"
	"log"
	"os"
	"path/filepath"
	"sort"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func frames(b []byte) (out [][]byte) {
	for len(b) >= 9 {
		n := int(binary.LittleEndian.Uint32(b))
		if len(b) < 9+n {
			break
		}
		out = append(out, b[:9+n])
		b = b[9+n:]
	}
	return out
}

func frame(typ byte, payload []byte) []byte {
	out := make([]byte, 9, 9+len(payload))
	binary.LittleEndian.PutUint32(out, uint32(len(payload)))
	crc := crc32.Update(crc32.Checksum([]byte{typ}, castagnoli), castagnoli, payload)
	binary.LittleEndian.PutUint32(out[4:], crc)
	out[8] = typ
	return append(out, payload...)
}

func main() {
	store := flag.String("store", "", "the store directory (<data-dir>/store)")
	runs := flag.Int("runs", 1000000, "archived runs to reach")
	flag.Parse()
	indexes, _ := filepath.Glob(filepath.Join(*store, "archive", "*.index"))
	sort.Strings(indexes)
	if len(indexes) == 0 {
		log.Fatal("no archive index")
	}
	var puts [][]byte
	total := 0
	for _, path := range indexes {
		b, err := os.ReadFile(path)
		if err != nil {
			log.Fatal(err)
		}
		for _, f := range frames(b) {
			total++
			if f[8] == 1 {
				puts = append(puts, f[9:])
			}
		}
	}
	if len(puts) == 0 {
		log.Fatal("no archived run to copy")
	}
	const digits = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	out, err := os.OpenFile(indexes[len(indexes)-1], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		log.Fatal(err)
	}
	var buf []byte
	for i := 0; total < *runs; i++ {
		p := append([]byte(nil), puts[i%len(puts)]...)
		idLen := int(p[13]) // one-byte varint: ids are short
		id := p[14 : 14+idLen]
		for k, n := 0, i; k < 8; k++ {
			id[idLen-1-k] = digits[n%32]
			n /= 32
		}
		id[idLen-9] = 'Z' // apart from every real id
		buf = append(buf, frame(1, p)...)
		total++
		if len(buf) > 8<<20 {
			if _, err := out.Write(buf); err != nil {
				log.Fatal(err)
			}
			buf = buf[:0]
		}
	}
	if _, err := out.Write(buf); err != nil {
		log.Fatal(err)
	}
	out.Sync()
	out.Close()
	raiseMark(*store, uint64(total))
	fmt.Printf("index_entries=%d\n", total)
}

// raiseMark sets the newest snapshot's archive mark record (type 6) to `entries`.
func raiseMark(store string, entries uint64) {
	snaps, _ := filepath.Glob(filepath.Join(store, "snap", "*.snap"))
	sort.Strings(snaps)
	if len(snaps) == 0 {
		log.Fatal("no snapshot")
	}
	path := snaps[len(snaps)-1]
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	payload := b[36:]
	if string(payload[:8]) != "SPNDLSN2" {
		log.Fatal("not a format 2 snapshot")
	}
	i := 16 + int(binary.LittleEndian.Uint64(payload[8:]))
	found := false
	for i < len(payload) {
		n := int(binary.LittleEndian.Uint32(payload[i:]))
		if payload[i+4] == 6 {
			binary.LittleEndian.PutUint64(payload[i+5:], entries)
			found = true
		}
		i += 5 + n
	}
	if !found {
		log.Fatal("the snapshot has no archive mark")
	}
	crc := crc32.Update(crc32.Checksum(b[:32], castagnoli), castagnoli, payload)
	binary.LittleEndian.PutUint32(b[32:], crc)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		log.Fatal(err)
	}
}
