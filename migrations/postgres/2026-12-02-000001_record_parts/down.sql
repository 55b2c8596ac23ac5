DROP TABLE evaluations;
DROP TABLE commendations;
