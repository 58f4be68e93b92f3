package reservesim

// schemaDDL recreates the schema. Keys and indexes come after the rows
// (keyDDL, indexDDL), which loads faster. Codes sort bytewise (COLLATE
// "C"), as a reader comparing keys outside the database would.
var schemaDDL = []string{
	`SET LOCAL maintenance_work_mem = '256MB'`,
	`DROP SCHEMA IF EXISTS reserve CASCADE`,
	`CREATE SCHEMA reserve`,
	`COMMENT ON SCHEMA reserve IS '项目储备库 (stand-in made by fundhub tools/reservesim)'`,
	`CREATE TABLE reserve.projects (
		project_code       text COLLATE "C" NOT NULL,
		name               text NOT NULL,
		region_code        char(6) NOT NULL,
		direction          text NOT NULL
			CHECK (direction IN ('生态保护修复', '地质灾害防治')),
		status             text NOT NULL
			CHECK (status IN ('申报', '备案', '入库', '实施中', '已完工', '已终止')),
		planned_investment numeric(20,2) NOT NULL,
		start_on           date NOT NULL,
		end_on             date NOT NULL,
		updated_at         timestamptz NOT NULL,
		is_deleted         boolean NOT NULL DEFAULT false
	)`,
	`COMMENT ON TABLE reserve.projects IS '储备项目'`,
	`CREATE TABLE reserve.performance_targets (
		target_id    text COLLATE "C" NOT NULL,
		project_code text COLLATE "C" NOT NULL,
		level1       text NOT NULL
			CHECK (level1 IN ('产出指标', '效益指标', '满意度指标')),
		level2       text NOT NULL,
		indicator    text NOT NULL,
		unit         text NOT NULL,
		target_value text NOT NULL,
		updated_at   timestamptz NOT NULL,
		is_deleted   boolean NOT NULL DEFAULT false
	)`,
	`COMMENT ON TABLE reserve.performance_targets IS '项目绩效目标'`,
}

// keyDDL adds the projects' key once they are loaded, which is faster
// than loading into an indexed table.
var keyDDL = []string{
	`ALTER TABLE reserve.projects ADD PRIMARY KEY (project_code)`,
	`ANALYZE reserve.projects`,
}

// indexDDL adds the targets' keys and the indexes an incremental reader by
// (updated_at, key) uses.
var indexDDL = []string{
	`ALTER TABLE reserve.performance_targets ADD PRIMARY KEY (target_id)`,
	`ALTER TABLE reserve.performance_targets ADD FOREIGN KEY (project_code)
		REFERENCES reserve.projects (project_code)`,
	`CREATE INDEX ON reserve.projects (updated_at, project_code)`,
	`CREATE INDEX ON reserve.performance_targets (updated_at, target_id)`,
	`ANALYZE reserve.performance_targets`,
}
