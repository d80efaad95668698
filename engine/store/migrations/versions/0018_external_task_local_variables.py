"""external tasks: the step's local variables (camunda:inputParameter), for fetchAndLock's localVariables

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("external_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("local_variables", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("external_task", schema=None) as batch_op:
        batch_op.drop_column("local_variables")
