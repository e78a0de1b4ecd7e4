package inspect

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"

	"github.com/ampc/ampc/ir"
)

// SignatureFile is a signed bundle's signature of its SHA256SUMS, in
// OpenSSH's SSHSIG format (ssh-keygen -Y sign -n SignatureNamespace), and
// SignatureNamespace the namespace it is made in: a signature made for
// another purpose (git commits, files) does not verify as a bundle's.
const (
	SignatureFile      = "SHA256SUMS.sig"
	SignatureNamespace = "ampc-bundle"
)

// ParseKeys reads OpenSSH public keys: the lines of an authorized_keys or
// .pub file, at least one.
func ParseKeys(raw []byte) ([]ssh.PublicKey, error) {
	var pubs []ssh.PublicKey
	for rest := raw; len(bytes.TrimSpace(rest)) > 0; {
		pub, _, _, next, err := ssh.ParseAuthorizedKey(rest)
		if err != nil {
			if len(pubs) == 0 {
				return nil, fmt.Errorf("holds no OpenSSH public key (ssh-ed25519 AAAA..., as in id_ed25519.pub): %v", err)
			}
			break
		}
		pubs = append(pubs, pub)
		rest = next
	}
	return pubs, nil
}

// VerifySignature checks that dir's SHA256SUMS carries a valid signature
// (SignatureFile) by one of pubs (ParseKeys). It returns the fingerprint
// of the key that signed, or a problem. With the checksums checked by
// Verify, every listed file is then the signer's.
func VerifySignature(dir string, pubs []ssh.PublicKey) (string, *Problem) {
	armored, err := os.ReadFile(filepath.Join(dir, SignatureFile))
	if err != nil {
		return "", &Problem{File: SignatureFile, What: "missing: the bundle is not signed (sign it with ssh-keygen -Y sign -n " + SignatureNamespace + " -f KEY SHA256SUMS)"}
	}
	sig, err := sshsig.Unarmor(armored)
	if err != nil {
		return "", &Problem{File: SignatureFile, What: "is not an SSH signature: " + err.Error()}
	}
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		return "", &Problem{File: "SHA256SUMS", What: "missing"}
	}
	if sig.Namespace != SignatureNamespace {
		return "", &Problem{File: SignatureFile, What: fmt.Sprintf("is a signature for %q, not for an ampc bundle (%s)", sig.Namespace, SignatureNamespace)}
	}
	for _, pub := range pubs {
		if err := sshsig.Verify(bytes.NewReader(sums), sig, pub, sig.HashAlgorithm, SignatureNamespace); err == nil {
			return ssh.FingerprintSHA256(pub), nil
		}
	}
	return "", &Problem{File: SignatureFile, What: fmt.Sprintf("does not verify with the given key(s): SHA256SUMS was changed since it was signed, or %s signed it", ssh.FingerprintSHA256(sig.PublicKey))}
}

// Problem is one thing wrong with a bundle on disk: the file and line it
// was found at (0 when it is about a whole file) and what is wrong.
type Problem struct {
	File string
	Line int
	What string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d:1: %s", p.File, p.Line, p.What)
	}
	return fmt.Sprintf("%s: %s", p.File, p.What)
}

var (
	sumLine    = regexp.MustCompile(`^([0-9a-f]{64})  (\S.*)$`)
	runbookRef = regexp.MustCompile(`\$BUNDLE_DIR/([A-Za-z0-9._/-]+)|\bapplied \S+ ((?:checks|patches|manifests)/[A-Za-z0-9._/-]+)`)
)

// Verify checks a bundle directory after it was carried to a site: every
// file SHA256SUMS lists is there with its checksum, every file of the bundle
// is listed, and every file plan.json and runbook.sh refer to is present.
// It returns the number of files checked and the problems found.
func Verify(dir string) (int, []Problem) {
	var problems []Problem
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		return 0, []Problem{{File: "SHA256SUMS", What: "missing: this is not an ampc bundle, or it was not copied whole"}}
	}
	listed := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for n := 1; sc.Scan(); n++ {
		m := sumLine.FindStringSubmatch(sc.Text())
		if m == nil {
			problems = append(problems, Problem{"SHA256SUMS", n, "not a sha256sum line"})
			continue
		}
		name := m[2]
		if strings.HasPrefix(name, "/") || strings.Contains("/"+name+"/", "/../") {
			problems = append(problems, Problem{"SHA256SUMS", n, fmt.Sprintf("%s is outside the bundle", name)})
			continue
		}
		listed[name] = true
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			problems = append(problems, Problem{"SHA256SUMS", n, fmt.Sprintf("%s is missing", name)})
			continue
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != m[1] {
			problems = append(problems, Problem{"SHA256SUMS", n, fmt.Sprintf("%s has changed since it was compiled (checksum mismatch)", name)})
		}
	}
	for _, f := range bundleFiles(dir) {
		if f != "SHA256SUMS" && f != SignatureFile && !listed[f] {
			problems = append(problems, Problem{File: f, What: "is not listed in SHA256SUMS: it was added to the bundle after it was compiled"})
		}
	}
	refs := map[string]Problem{}
	if raw, err := os.ReadFile(filepath.Join(dir, "plan.json")); err == nil {
		doc, err := DecodePlan(raw)
		if err != nil {
			problems = append(problems, Problem{File: "plan.json", What: "is not valid JSON: " + err.Error()})
			doc = &ir.PlanDoc{}
		}
		for _, s := range doc.Steps {
			for _, p := range s.Patches {
				refs[p.File] = Problem{File: "plan.json", What: fmt.Sprintf("step %s refers to %s, which is missing", s.ID, p.File)}
			}
			for _, m := range s.Manifests {
				refs[m.File] = Problem{File: "plan.json", What: fmt.Sprintf("step %s refers to %s, which is missing", s.ID, m.File)}
			}
		}
	} else {
		problems = append(problems, Problem{File: "plan.json", What: "missing"})
	}
	if raw, err := os.ReadFile(filepath.Join(dir, "runbook.sh")); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(raw))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for n := 1; sc.Scan(); n++ {
			for _, m := range runbookRef.FindAllStringSubmatch(sc.Text(), -1) {
				ref := m[1] + m[2]
				if ref == SignatureFile {
					continue // optional: checked when present (VerifySignature)
				}
				if _, seen := refs[ref]; !seen {
					refs[ref] = Problem{"runbook.sh", n, fmt.Sprintf("refers to %s, which is missing", ref)}
				}
			}
		}
	} else {
		problems = append(problems, Problem{File: "runbook.sh", What: "missing"})
	}
	names := make([]string, 0, len(refs))
	for r := range refs {
		names = append(names, r)
	}
	sort.Strings(names)
	for _, r := range names {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(r))); err != nil {
			problems = append(problems, refs[r])
		}
	}
	return len(listed), problems
}

// bundleFiles lists the regular files under dir, slash-separated, leaving
// out what the runbook writes beside itself when run from the bundle
// (its state file, log and backups).
func bundleFiles(dir string) []string {
	var out []string
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(rel, "ampc-") && (strings.HasSuffix(rel, ".state") || strings.HasSuffix(rel, ".log")) {
			return nil
		}
		out = append(out, rel)
		return nil
	})
	sort.Strings(out)
	return out
}
