package database

import (
	"database/sql"

	"github.com/rencontre/rencontre/ent"
)

// OpenWithDB is OpenWithPool that also returns the connection pool under the
// client, whose statistics (sql.DB.Stats) the server's metrics report. Close
// the client, not the pool.
func OpenWithDB(rawURL string, pool Pool, opts ...ent.Option) (*ent.Client, *sql.DB, error) {
	drv, err := DriverWithPool(rawURL, pool)
	if err != nil {
		return nil, nil, err
	}
	return ent.NewClient(append([]ent.Option{ent.Driver(SerialTx(drv))}, opts...)...), drv.DB(), nil
}
