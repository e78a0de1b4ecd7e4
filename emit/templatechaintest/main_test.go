package templatechaintest

import (
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
)

// TestMain makes and removes the directory of the simulated oc
// (bundletest.Main).
func TestMain(m *testing.M) { bundletest.Main(m) }
