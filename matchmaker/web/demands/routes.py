from flask import Blueprint

bp = Blueprint("demands", __name__)
