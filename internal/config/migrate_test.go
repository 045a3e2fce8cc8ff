package config_test

import (
	"io"
	"testing"

	"github.com/rencontre/rencontre/internal/config"
	"github.com/rencontre/rencontre/internal/database"
)

func TestMigrateCommand(t *testing.T) {
	const pg = "postgres://db/r?sslmode=disable"
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want config.MigrateCommand
	}{
		{"apply on the embedded default", nil, nil,
			config.MigrateCommand{DatabaseURL: database.DefaultURL}},
		{"DATABASE_URL is the fallback", nil, map[string]string{"DATABASE_URL": pg},
			config.MigrateCommand{DatabaseURL: pg}},
		{"the flag wins over DATABASE_URL", []string{"--database-url", "sqlite:x.db"}, map[string]string{"DATABASE_URL": pg},
			config.MigrateCommand{DatabaseURL: "sqlite:x.db"}},
		{"a dry run", []string{"--dry-run", "--database-url", pg}, nil,
			config.MigrateCommand{DatabaseURL: pg, MigrateOptions: database.MigrateOptions{DryRun: true}}},
		{"a baseline named by the operator", []string{"--baseline", "0001"}, nil,
			config.MigrateCommand{DatabaseURL: database.DefaultURL, MigrateOptions: database.MigrateOptions{Baseline: "0001"}}},
		{"status before the flags", []string{"status", "--database-url", pg}, nil,
			config.MigrateCommand{DatabaseURL: pg, MigrateOptions: database.MigrateOptions{Status: true}}},
		{"status after the flags", []string{"--database-url", pg, "status"}, nil,
			config.MigrateCommand{DatabaseURL: pg, MigrateOptions: database.MigrateOptions{Status: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := config.LoadMigrateCommand(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("LoadMigrateCommand(%q) = %+v, want %+v", tc.args, got, tc.want)
			}
		})
	}
}

func TestMigrateCommandRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"an unknown subcommand", []string{"down"}},
		{"a dry run of status, which changes nothing anyway", []string{"status", "--dry-run"}},
		{"a baseline with status", []string{"status", "--baseline", "0001"}},
		{"an unknown flag", []string{"--auto-migrate"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if c, err := config.LoadMigrateCommand(tc.args, func(string) string { return "" }, io.Discard); err == nil {
				t.Errorf("LoadMigrateCommand(%q) = %+v, want an error", tc.args, c)
			}
		})
	}
}
